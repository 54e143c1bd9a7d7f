/* protocol_driver: performs the lock-and-rename protocol's system calls, one
 * per command-line step, and prints one line per call:
 *   <call> <result> <errno name or 0>
 * so a test can run it under the preload library and assert exactly which
 * call failed and how. Steps (processed left to right):
 *   mkdir P | rmdir P | unlink P | rename A B | renameat2 A B | link A B
 *   mkdirat DIR NAME | openat DIR NAME | create P TEXT | writev P TEXT
 *   pwrite P TEXT | fsync P | fdatasync P | fsyncdir DIR | chdir DIR
 *   dupwrite P TEXT        (open P, dup2 it to fd 50, write/fsync via 50)
 *   renamesync A B         (open A, rename A to B, fsync and close the fd)
 *   hijack FD P            (open P and put it on FD with a raw dup3
 *                           syscall, as close_range + reuse would)
 *   protocol REGISTRY      (the whole lock/write/rename/unlock sequence)
 *   repeat N STEP ARGS...  (run one step N times)
 *   wait                   (print "ready", read a line from stdin)
 *   fork STEP ARGS...      (run one step in a child, wait for it)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char* call, long rc, int err) {
  const char* name = rc < 0 ? strerrorname_np(err) : NULL;
  printf("%s %ld %s\n", call, rc, name != NULL ? name : "0");
  fflush(stdout);
}

#define CALL(name, expr)      \
  do {                        \
    long rc_ = (long)(expr);  \
    report(name, rc_, errno); \
  } while (0)

static void write_file(const char* path, const char* text, int how) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  report("open", fd, errno);
  if (fd < 0) return;
  size_t len = strlen(text);
  if (how == 0) {
    CALL("write", write(fd, text, len));
  } else if (how == 1) {
    struct iovec iov[2] = {{(void*)text, len / 2},
                           {(void*)(text + len / 2), len - len / 2}};
    CALL("writev", writev(fd, iov, 2));
  } else {
    CALL("pwrite", pwrite(fd, text, len, 0));
  }
  CALL("close", close(fd));
}

static void sync_path(const char* path, int data_only, int directory) {
  int fd =
      open(path, (directory ? O_RDONLY | O_DIRECTORY : O_WRONLY) | O_CLOEXEC);
  report("open", fd, errno);
  if (fd < 0) return;
  if (data_only) {
    CALL("fdatasync", fdatasync(fd));
  } else {
    CALL("fsync", fsync(fd));
  }
  CALL("close", close(fd));
}

/* The reference protocol: lock, owner record, temp write, fsync, rename,
 * directory fsync, unlock. Stops at the first failure, like a writer would
 * (after trying to release the lock). */
static int protocol(const char* registry) {
  char lock[4096], owner[4096], temp[4096], dir[4096];
  snprintf(lock, sizeof lock, "%s.lock", registry);
  snprintf(owner, sizeof owner, "%s.lock/owner", registry);
  snprintf(temp, sizeof temp, "%s.tmp.%d.x", registry, (int)getpid());
  snprintf(dir, sizeof dir, "%s", registry);
  *strrchr(dir, '/') = '\0';
  if (mkdir(lock, 0755) != 0) return report("mkdir", -1, errno), 1;
  report("mkdir", 0, 0);
  write_file(owner, "{\"pid\":1}", 0);
  write_file(temp, "{\"sandboxes\":{}}", 0);
  sync_path(temp, 0, 0);
  CALL("rename", rename(temp, registry));
  sync_path(dir, 0, 1);
  CALL("unlink", unlink(owner));
  CALL("rmdir", rmdir(lock));
  return 0;
}

static int step(char** argv, int argc);

/* Runs the step at argv[0]; returns how many arguments it consumed. */
static int step(char** argv, int argc) {
  const char* op = argv[0];
#define NEED(n)                                                    \
  if (argc < (n) + 1) {                                            \
    fprintf(stderr, "protocol_driver: %s needs %d args\n", op, n); \
    exit(2);                                                       \
  }
  if (strcmp(op, "mkdir") == 0) {
    NEED(1);
    CALL("mkdir", mkdir(argv[1], 0755));
    return 2;
  } else if (strcmp(op, "rmdir") == 0) {
    NEED(1);
    CALL("rmdir", rmdir(argv[1]));
    return 2;
  } else if (strcmp(op, "unlink") == 0) {
    NEED(1);
    CALL("unlink", unlink(argv[1]));
    return 2;
  } else if (strcmp(op, "rename") == 0) {
    NEED(2);
    CALL("rename", rename(argv[1], argv[2]));
    return 3;
  } else if (strcmp(op, "renameat2") == 0) {
    NEED(2);
    CALL("renameat2", renameat2(AT_FDCWD, argv[1], AT_FDCWD, argv[2], 0));
    return 3;
  } else if (strcmp(op, "link") == 0) {
    NEED(2);
    CALL("link", link(argv[1], argv[2]));
    return 3;
  } else if (strcmp(op, "mkdirat") == 0 || strcmp(op, "openat") == 0) {
    NEED(2);
    int dfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (op[0] == 'm') {
      CALL("mkdirat", mkdirat(dfd, argv[2], 0755));
    } else {
      int fd = openat(dfd, argv[2], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      report("openat", fd, errno);
      if (fd >= 0) close(fd);
    }
    close(dfd);
    return 3;
  } else if (strcmp(op, "create") == 0) {
    NEED(2);
    write_file(argv[1], argv[2], 0);
    return 3;
  } else if (strcmp(op, "writev") == 0) {
    NEED(2);
    write_file(argv[1], argv[2], 1);
    return 3;
  } else if (strcmp(op, "pwrite") == 0) {
    NEED(2);
    write_file(argv[1], argv[2], 2);
    return 3;
  } else if (strcmp(op, "fsync") == 0) {
    NEED(1);
    sync_path(argv[1], 0, 0);
    return 2;
  } else if (strcmp(op, "fdatasync") == 0) {
    NEED(1);
    sync_path(argv[1], 1, 0);
    return 2;
  } else if (strcmp(op, "fsyncdir") == 0) {
    NEED(1);
    sync_path(argv[1], 0, 1);
    return 2;
  } else if (strcmp(op, "renamesync") == 0) {
    NEED(2);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    report("open", fd, errno);
    CALL("rename", rename(argv[1], argv[2]));
    CALL("fsync", fsync(fd));
    CALL("close", close(fd));
    return 3;
  } else if (strcmp(op, "dupwrite") == 0) {
    NEED(2);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    report("open", fd, errno);
    CALL("dup2", dup2(fd, 50));
    CALL("close", close(fd));
    CALL("write", write(50, argv[2], strlen(argv[2])));
    CALL("fsync", fsync(50));
    CALL("close", close(50));
    return 3;
  } else if (strcmp(op, "hijack") == 0) {
    NEED(2);
    int fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    long rc = syscall(SYS_dup3, fd, atoi(argv[1]), 0);
    report("hijack", rc, errno);
    close(fd);
    return 3;
  } else if (strcmp(op, "chdir") == 0) {
    NEED(1);
    CALL("chdir", chdir(argv[1]));
    return 2;
  } else if (strcmp(op, "protocol") == 0) {
    NEED(1);
    protocol(argv[1]);
    return 2;
  } else if (strcmp(op, "wait") == 0) {
    char line[64];
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    if (fgets(line, sizeof line, stdin) == NULL) exit(3);
    return 1;
  } else if (strcmp(op, "repeat") == 0) {
    NEED(2);
    int n = atoi(argv[1]);
    int used = 0;
    for (int i = 0; i < n; ++i) used = step(argv + 2, argc - 2);
    return 2 + used;
  } else if (strcmp(op, "fork") == 0) {
    NEED(1);
    pid_t pid = fork();
    if (pid == 0) {
      step(argv + 1, argc - 1);
      fflush(stdout);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    /* The child ran the step; count its arguments here (1 or 2). */
    const char* child_op = argv[1];
    int used =
        (strcmp(child_op, "rename") == 0 || strcmp(child_op, "create") == 0 ||
         strcmp(child_op, "link") == 0 || strcmp(child_op, "renameat2") == 0)
            ? 3
            : 2;
    return 1 + used;
  }
  fprintf(stderr, "protocol_driver: unknown step '%s'\n", op);
  exit(2);
}

int main(int argc, char** argv) {
  int i = 1;
  while (i < argc) i += step(argv + i, argc - i);
  return 0;
}
