// load_run.h: reading a run directory back for checks (`lockharness check
// DIR`). The directory's file names are in run_dir/files.h.

#ifndef LOCKHARNESS_HARNESS_RUN_DIR_LOAD_RUN_H_
#define LOCKHARNESS_HARNESS_RUN_DIR_LOAD_RUN_H_

#include <filesystem>
#include <optional>
#include <string>

#include "lockharness/harness/checkers/run_artifacts.h"

namespace lockharness::harness {

// Loads DIR/run.json (limits, optional "monotonic_origin_ns"),
// DIR/history.jsonl, the registry file named by run.json's "registry"
// (default registry/sandboxes.json), the other names in its directory and,
// if present, the trace DIR/trace.jsonl. On failure returns nullopt and
// sets *error to a one-line reason naming the file (and line, for the
// history and the trace).
// REQUIRES: error != nullptr.
std::optional<RunArtifacts> LoadRunDirectory(const std::filesystem::path& dir, std::string* error);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_RUN_DIR_LOAD_RUN_H_
