// files.h: the names of the files and directories in a run directory
// (docs/adapter-contract.md), each spelled once. The runner writes them,
// LoadRunDirectory() (load_run.h) and the report writers read them.
//
//   DIR/run.json              the run configuration
//   DIR/history.jsonl         the history (history.h)
//   DIR/trace.jsonl           the interposer's system-call trace, if traced
//   DIR/registry/sandboxes.json   the registry the writers share
//   DIR/logs/                 each writer's stderr
//   DIR/setup/                what setup steps forged (a corrupt registry's
//                             bytes, a symlinked owner record's target)
//   DIR/results.json, report.txt, junit.xml, timeline.html   the verdict
//                             files (report/run_report.h)

#ifndef LOCKHARNESS_HARNESS_RUN_DIR_FILES_H_
#define LOCKHARNESS_HARNESS_RUN_DIR_FILES_H_

#include <string>

namespace lockharness::harness::run_files {

inline constexpr char kRunConfig[] = "run.json";
inline constexpr char kHistory[] = "history.jsonl";
inline constexpr char kTrace[] = "trace.jsonl";
// An empty directory over which each placed writer's placer bind-mounts the
// harness's /proc, so that the trace names placed processes by their PIDs
// in the harness's namespace (interposer/src/trace_pid.h).
inline constexpr char kTraceProcDir[] = "trace-proc";

inline constexpr char kRegistryDir[] = "registry";
inline constexpr char kRegistryName[] = "sandboxes.json";  // in kRegistryDir
// "registry/sandboxes.json", as run.json's "registry" field has it.
inline std::string RegistryRelativePath() {
  return std::string(kRegistryDir) + "/" + kRegistryName;
}

inline constexpr char kLogsDir[] = "logs";
inline constexpr char kSetupDir[] = "setup";
// In kSetupDir: the bytes of a forged corrupt registry, for the
// corrupt-registry checker.
inline constexpr char kForgedCorruptRegistry[] = "corrupt-registry.bytes";

inline constexpr char kResults[] = "results.json";
inline constexpr char kReportText[] = "report.txt";
inline constexpr char kJunit[] = "junit.xml";
inline constexpr char kTimeline[] = "timeline.html";

}  // namespace lockharness::harness::run_files

#endif  // LOCKHARNESS_HARNESS_RUN_DIR_FILES_H_
