// proc_fd_link.h (private): "/proc/self/fd/N" for a descriptor, formatted
// without stdio or heap (the preload library's rules), for readlink.

#ifndef LOCKHARNESS_INTERPOSER_SRC_PROC_FD_LINK_H_
#define LOCKHARNESS_INTERPOSER_SRC_PROC_FD_LINK_H_

#include <cstddef>

namespace lockharness::interposer {

// Size of a buffer that holds "/proc/self/fd/" and any int, with its NUL.
inline constexpr size_t kProcFdLinkSize = 32;

// Writes "/proc/self/fd/<fd>" into link. REQUIRES: fd >= 0.
inline void FormatProcFdLink(int fd, char (&link)[kProcFdLinkSize]) {
  constexpr char kPrefix[] = "/proc/self/fd/";
  size_t n = 0;
  for (; kPrefix[n] != '\0'; ++n) link[n] = kPrefix[n];
  char digits[12];
  size_t d = 0;
  unsigned v = static_cast<unsigned>(fd);
  do {
    digits[d++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (d > 0) link[n++] = digits[--d];
  link[n] = '\0';
}

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_SRC_PROC_FD_LINK_H_
