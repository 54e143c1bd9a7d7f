/* A program linked with -static: the interposer cannot reach it, and the
 * check tool must say so. */
#include <stdio.h>

int main(void) {
  puts("hello");
  return 0;
}
