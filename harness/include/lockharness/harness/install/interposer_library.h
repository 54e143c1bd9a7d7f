// interposer_library.h: is the interposer's preload library there and
// loadable? The dynamic loader only warns about an LD_PRELOAD object it
// cannot load and runs the program anyway, so without this check a run
// whose faults could never fire would look like a pass.
//
// Usage:
//   const std::string& problem = ThisInterposerProblem();   // "" if usable
//   if (!problem.empty()) { ...the run is not runnable: problem... }

#ifndef LOCKHARNESS_HARNESS_INSTALL_INTERPOSER_LIBRARY_H_
#define LOCKHARNESS_HARNESS_INSTALL_INTERPOSER_LIBRARY_H_

#include <filesystem>
#include <string>

namespace lockharness::harness::install {

// "" if `library` exists and a program (/bin/sh -c :) run with it as
// LD_PRELOAD loads it: its constructor writes the trace's hello line.
// Otherwise the reason, naming the path: "interposer library PATH not
// found", "... cannot be loaded: <the loader's message>". Writes no file.
std::string CheckInterposeLibrary(const std::filesystem::path& library);

// CheckInterposeLibrary(ThisHarnessData().interposer), computed once; the
// first call that finds a problem prints it to stderr (once per process).
const std::string& ThisInterposerProblem();

}  // namespace lockharness::harness::install

#endif  // LOCKHARNESS_HARNESS_INSTALL_INTERPOSER_LIBRARY_H_
