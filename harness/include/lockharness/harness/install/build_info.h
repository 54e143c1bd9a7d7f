// build_info.h: what this lockharness is: its version, the commit it was
// configured from, and what it can do here (`lockharness --version`; the
// version is recorded in every results.json).

#ifndef LOCKHARNESS_HARNESS_INSTALL_BUILD_INFO_H_
#define LOCKHARNESS_HARNESS_INSTALL_BUILD_INFO_H_

#include <string>

namespace lockharness::harness::install {

// The project version, e.g. "0.1.0".
const char* Version();
// `git rev-parse --short=12 HEAD` when the build was configured, "unknown"
// outside a git checkout.
const char* Commit();
// Whether the reference client was built with libfiu fault points
// (LOCKHARNESS_FAULT_POINTS), which `--faults lh/...` of lockreg needs.
bool FaultPointsBuilt();

// The --version text: version, commit, fault points, the interposer
// library's path and whether it loads (CheckInterposeLibrary), and where
// the scenarios and adapters are.
std::string VersionText();

}  // namespace lockharness::harness::install

#endif  // LOCKHARNESS_HARNESS_INSTALL_BUILD_INFO_H_
