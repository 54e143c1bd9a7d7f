// data_locations.h: where the harness finds its scenario suites, adapters
// (with their catalog), the reference client and the interposer library,
// from a checkout's build tree and from an installed tree alike.
//
// Scenario files and the adapter catalog name these files as they lie in a
// checkout, relative to its root: "scenarios/...", "harness/adapters/...",
// and "build/protocol/lockreg" for the reference client. ResolveDataPath()
// maps such a name to where the file is for this harness, whatever the
// current directory:
//
//   name                     checkout (build tree)       installed under P
//   scenarios/X              SOURCE/scenarios/X          P/share/lockharness/scenarios/X
//   harness/adapters/X       SOURCE/harness/adapters/X   P/share/lockharness/adapters/X
//   build/protocol/lockreg   BUILD/protocol/lockreg      P/bin/lockreg
//   build/X (other)          BUILD/X                     unchanged
//
// The harness is "installed" when its own executable (/proc/self/exe) has
// the installed data directory beside it (EXE_DIR/../share/lockharness
// with a scenarios/ folder, for the default GNU layout); otherwise it runs
// from the build tree of the checkout it was configured from. No
// environment variable decides this; LOCKHARNESS_BUILD_DIR (the adapters'
// existing variable) only moves BUILD for a checkout.
//
// Usage:
//   const DataLocations& data = ThisHarnessData();
//   data.interposer            // the preload library to use
//   data.placer                // the exec wrapper that places writers
//   ResolveDataTemplate(data, "/usr/bin/python3 harness/adapters/python/x.py --file {registry}")

#ifndef LOCKHARNESS_HARNESS_INSTALL_DATA_LOCATIONS_H_
#define LOCKHARNESS_HARNESS_INSTALL_DATA_LOCATIONS_H_

#include <filesystem>
#include <string>
#include <string_view>

namespace lockharness::harness::install {

// What the build knows, compiled in (see harness/install.cmake).
struct BuildLayout {
  std::filesystem::path source_dir;        // the checkout's root
  std::filesystem::path build_dir;         // its build directory
  std::filesystem::path build_interposer;  // the preload library in the build tree
  std::filesystem::path build_placer;      // lockharness-placer in the build tree
  // Relative to the installed bin directory (default GNU layout:
  // "../share/lockharness", "../lib/x86_64-linux-gnu/lockharness").
  std::filesystem::path bin_to_data;
  std::filesystem::path bin_to_pkglib;
};

struct DataLocations {
  bool installed = false;
  std::filesystem::path root;        // checkout root, or P/share/lockharness
  std::filesystem::path scenarios;   // the suites: smoke/, full/, soak/
  std::filesystem::path adapters;    // catalog.json, probe.sh, run.sh and the adapters
  std::filesystem::path build_dir;   // checkout only: what "build/" names
  std::filesystem::path lockreg;     // the reference client
  std::filesystem::path interposer;  // liblockharness_interpose.so
  std::filesystem::path placer;      // lockharness-placer (placement.h)
};

inline constexpr char kInterposeLibraryName[] = "liblockharness_interpose.so";
inline constexpr char kPlacerName[] = "lockharness-placer";

// The locations for a harness whose executable is `executable` (absolute).
// Installed if EXE_DIR/bin_to_data/scenarios is a directory. Never fails:
// a missing file shows up when it is used (the interposer: through
// CheckInterposeLibrary in interposer_library.h).
DataLocations LocateData(const std::filesystem::path& executable, const BuildLayout& layout);

// The compiled-in layout of this build, with LOCKHARNESS_BUILD_DIR (if set
// and non-empty) as build_dir.
BuildLayout ThisBuildLayout();

// LocateData(/proc/self/exe, ThisBuildLayout()), computed once.
const DataLocations& ThisHarnessData();

// `name` mapped as in the table above (absolute), or unchanged if it is
// absolute or none of the names above.
std::string ResolveDataPath(const DataLocations& data, std::string_view name);

// A command template with each word that ResolveDataPath() maps replaced by
// its location (single-quoted if it needs quoting); a template without such
// words, or one that does not split, is returned unchanged.
std::string ResolveDataTemplate(const DataLocations& data, const std::string& command);

}  // namespace lockharness::harness::install

#endif  // LOCKHARNESS_HARNESS_INSTALL_DATA_LOCATIONS_H_
