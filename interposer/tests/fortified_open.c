/* fortified_open PATH DIR NAME: opens PATH and DIR/NAME read-only through
 * glibc's _FORTIFY_SOURCE entry points (__open_2, __openat_2), which a
 * fortified build calls when the flags are not a compile-time constant.
 * Prints "open <fd> <errno>" and "openat <fd> <errno>". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  int flags = O_RDONLY | (int)strtol("0", NULL, 10); /* not a constant */
  int fd = open(argv[1], flags);
  printf("open %d %s\n", fd < 0 ? -1 : 0,
         fd < 0 ? strerrorname_np(errno) : "0");
  int dfd = open(argv[2], O_RDONLY | O_DIRECTORY);
  int fd2 = openat(dfd, argv[3], flags);
  printf("openat %d %s\n", fd2 < 0 ? -1 : 0,
         fd2 < 0 ? strerrorname_np(errno) : "0");
  return 0;
}
