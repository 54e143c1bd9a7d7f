// Version, commit and capabilities (see build_info.h).

#include "lockharness/harness/install/build_info.h"

#include "lockharness/harness/install/data_locations.h"
#include "lockharness/harness/install/interposer_library.h"

#if !defined(LOCKHARNESS_VERSION) || !defined(LOCKHARNESS_COMMIT)
#error "the build defines LOCKHARNESS_VERSION and LOCKHARNESS_COMMIT (harness/install.cmake)"
#endif

namespace lockharness::harness::install {

const char* Version() { return LOCKHARNESS_VERSION; }
const char* Commit() { return LOCKHARNESS_COMMIT; }

bool FaultPointsBuilt() {
#ifdef LOCKHARNESS_FAULT_POINTS_BUILT
  return true;
#else
  return false;
#endif
}

std::string VersionText() {
  const DataLocations& data = ThisHarnessData();
  const std::string problem = CheckInterposeLibrary(data.interposer);
  std::string text = std::string("lockharness ") + Version() + "\ncommit: " + Commit() + "\n";
  text += std::string("fault points: ") +
          (FaultPointsBuilt() ? "yes (lockreg built with libfiu fault points)"
                              : "no (built with LOCKHARNESS_FAULT_POINTS=OFF)") +
          "\n";
  text += "interposer: " +
          (problem.empty() ? "yes (" + data.interposer.string() + ")" : "no: " + problem) + "\n";
  text += std::string("layout: ") + (data.installed ? "installed" : "build tree") +
          "\nscenarios: " + data.scenarios.string() + "\nadapters: " + data.adapters.string();
  return text;
}

}  // namespace lockharness::harness::install
