// inotify_close_cost.c: how long close() of an inotify descriptor takes with
// and without a watch on DIR (docs/performance.md, "The ext4 collapse").
//
//   cc -O2 -o /tmp/inotify_close_cost bench/tools/inotify_close_cost.c
//   /tmp/inotify_close_cost DIR
//
// With a watch, closing tears the fsnotify group down and waits for an SRCU
// grace period; the reference lock's waiters used to pay that inside the lock.
#include <stdio.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

static double NowMs(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  enum { kRounds = 50 };
  for (int watched = 1; watched >= 0; --watched) {
    double total = 0, max = 0;
    for (int i = 0; i < kRounds; ++i) {
      int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
      if (fd < 0 || (watched && inotify_add_watch(fd, argv[1], IN_DELETE) < 0)) {
        perror("inotify");
        return 1;
      }
      double t = NowMs();
      close(fd);
      double d = NowMs() - t;
      total += d;
      if (d > max) max = d;
    }
    printf("close of an inotify descriptor %s: mean %.3f ms, max %.3f ms over %d\n",
           watched ? "with a watch" : "without a watch", total / kRounds, max, kRounds);
  }
  return 0;
}
