/* lock_driver.c: makes the lock calls of every common lock convention on
 * a given lock path (and the registry), for the interposer's lock-call
 * tests. Usage: lock_driver MODE LOCK REGISTRY
 *   excl    open(LOCK, O_CREAT|O_EXCL|O_WRONLY), write, close, unlink
 *   flock   open(LOCK, O_CREAT|O_RDWR), flock EX, flock UN, flock EX|NB,
 *           close
 *   fcntl   open(LOCK), F_SETLKW write lock, F_SETLK unlock, F_OFD_SETLK
 *           read lock, F_OFD_SETLKW unlock, F_SETLK write lock, close of a
 *           second descriptor of the same file (drops the record lock)
 *   lockf   open(REGISTRY), lockf F_LOCK, F_TEST, F_ULOCK, F_TLOCK, close
 *   link    write LOCK.tmp, link it to LOCK, unlink both
 *   fork    flock EX on LOCK, fork: the child writes the registry and
 *           exits; the parent waits, then exits holding the lock
 * Prints nothing; exits 0 if every call did what was expected, else 1. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures = 0;

static void expect(int ok, const char* what) {
  if (!ok) {
    fprintf(stderr, "lock_driver: %s failed\n", what);
    ++failures;
  }
}

static int set_lock(int fd, int cmd, short type) {
  struct flock fl;
  memset(&fl, 0, sizeof fl);
  fl.l_type = type;
  fl.l_whence = SEEK_SET;
  return fcntl(fd, cmd, &fl);
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: lock_driver MODE LOCK REGISTRY\n");
    return 2;
  }
  const char* mode = argv[1];
  const char* lock = argv[2];
  const char* registry = argv[3];
  if (strcmp(mode, "excl") == 0) {
    int fd = open(lock, O_CREAT | O_EXCL | O_WRONLY, 0644);
    expect(fd >= 0, "open O_EXCL");
    expect(open(lock, O_CREAT | O_EXCL | O_WRONLY, 0644) < 0, "second O_EXCL");
    expect(write(fd, "42\n", 3) == 3, "write");
    expect(close(fd) == 0, "close");
    expect(unlink(lock) == 0, "unlink");
  } else if (strcmp(mode, "flock") == 0) {
    int fd = open(lock, O_CREAT | O_RDWR, 0644);
    expect(fd >= 0, "open");
    expect(flock(fd, LOCK_EX) == 0, "flock EX");
    expect(flock(fd, LOCK_UN) == 0, "flock UN");
    expect(flock(fd, LOCK_EX | LOCK_NB) == 0, "flock EX|NB");
    expect(close(fd) == 0, "close");
  } else if (strcmp(mode, "fcntl") == 0) {
    int fd = open(lock, O_CREAT | O_RDWR, 0644);
    expect(fd >= 0, "open");
    expect(set_lock(fd, F_SETLKW, F_WRLCK) == 0, "F_SETLKW");
    expect(set_lock(fd, F_SETLK, F_UNLCK) == 0, "F_SETLK unlock");
    expect(set_lock(fd, F_OFD_SETLK, F_RDLCK) == 0, "F_OFD_SETLK");
    expect(set_lock(fd, F_OFD_SETLKW, F_UNLCK) == 0, "F_OFD_SETLKW unlock");
    expect(fcntl(fd, F_GETFD) >= 0, "F_GETFD (not traced)");
    expect(set_lock(fd, F_SETLK, F_WRLCK) == 0, "F_SETLK");
    int second = open(lock, O_RDONLY);
    expect(second >= 0, "second open");
    expect(close(second) == 0, "close of the second descriptor");
    expect(close(fd) == 0, "close");
  } else if (strcmp(mode, "lockf") == 0) {
    int fd = open(registry, O_CREAT | O_RDWR, 0644);
    expect(fd >= 0, "open");
    expect(lockf(fd, F_LOCK, 0) == 0, "lockf F_LOCK");
    expect(lockf(fd, F_TEST, 0) == 0, "lockf F_TEST (not traced)");
    expect(lockf(fd, F_ULOCK, 0) == 0, "lockf F_ULOCK");
    expect(lockf(fd, F_TLOCK, 0) == 0, "lockf F_TLOCK");
    expect(close(fd) == 0, "close");
  } else if (strcmp(mode, "link") == 0) {
    char temp[4096];
    snprintf(temp, sizeof temp, "%s.tmp.%d", lock, (int)getpid());
    int fd = open(temp, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    expect(fd >= 0 && write(fd, "42\n", 3) == 3 && close(fd) == 0, "temp");
    expect(link(temp, lock) == 0, "link");
    expect(unlink(temp) == 0 && unlink(lock) == 0, "unlink");
  } else if (strcmp(mode, "fork") == 0) {
    int fd = open(lock, O_CREAT | O_RDWR, 0644);
    expect(fd >= 0 && flock(fd, LOCK_EX) == 0, "flock EX");
    pid_t child = fork();
    if (child == 0) {
      int out = open(registry, O_CREAT | O_WRONLY | O_TRUNC, 0644);
      int ok = out >= 0 && write(out, "{}\n", 3) == 3 && close(out) == 0;
      exit(ok ? 0 : 1);
    }
    int status = 0;
    expect(child > 0 && waitpid(child, &status, 0) == child &&
               WIFEXITED(status) && WEXITSTATUS(status) == 0,
           "child");
  } else {
    fprintf(stderr, "lock_driver: unknown mode %s\n", mode);
    return 2;
  }
  return failures == 0 ? 0 : 1;
}
