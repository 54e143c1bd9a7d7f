// interpose_check.h: tells whether LD_PRELOAD interposition can see a
// program's file system calls, so the harness can say "cannot interpose:
// <reason>" instead of reporting a clean pass from a run where no fault
// could ever fire.
//
// The check reads the ELF file: a program is interposable only if it has a
// program interpreter (PT_INTERP: the dynamic loader runs, so LD_PRELOAD is
// honoured), lists libc in DT_NEEDED (its calls go through libc's PLT) and is
// not a Go program (Go makes raw system calls even when linked dynamically).
// "#!" scripts are judged by their interpreter ("#!/usr/bin/env node" by
// `node` found on PATH). What a static check cannot see (io_uring, direct
// syscall(2)) is listed in docs/interposer.md.
//
// Usage:
//   InterposeCheck c = CheckInterposable("node");
//   if (!c.interposable) fprintf(stderr, "cannot interpose: %s\n",
//                                c.reason.c_str());

#ifndef LOCKHARNESS_INTERPOSER_INTERPOSE_CHECK_H_
#define LOCKHARNESS_INTERPOSER_INTERPOSE_CHECK_H_

#include <string>

namespace lockharness::interposer {

struct InterposeCheck {
  bool interposable = false;
  std::string program;  // the file that was examined (after PATH/#! lookup)
  std::string reason;   // why (not) interposable, one line
};

// Examines `program` (a path, or a name looked up on PATH). Never throws;
// unreadable or unknown files come back as not interposable with a reason.
InterposeCheck CheckInterposable(const std::string& program);

}  // namespace lockharness::interposer

#endif  // LOCKHARNESS_INTERPOSER_INTERPOSE_CHECK_H_
