/* A dynamically linked program that does not link libc itself (only libm)
 * and exits with a raw system call: the check tool must report that its
 * calls do not go through libc. x86-64 only. */
double cos(double);

void _start(void) {
  volatile double x = cos(0.0);
  (void)x;
  __asm__ volatile("mov $60, %eax\n\txor %edi, %edi\n\tsyscall");
}
