// One run, executed and judged (see run_once.h).

#include "src/cli/run_once.h"

#include <iostream>

#include "lockharness/harness/report/run_report.h"
#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/runner/safe_files.h"

namespace lockharness::harness::cli {

RunResult JudgeRunDirectory(const std::filesystem::path& dir, const nlohmann::json& notes,
                            bool complete) {
  RunResult result;
  std::string error;
  std::optional<RunArtifacts> artifacts = LoadRunDirectory(dir, &error);
  if (!artifacts) {
    result.reason = "cannot load run directory: " + error;
    return result;
  }
  auto config = ReadJsonFile(dir / run_files::kRunConfig, &error);
  if (!config) {
    result.reason = error;
    return result;
  }
  result.findings = CheckAll(*artifacts);
  result.verdict = Overall(result.findings);
  if (!complete && result.verdict == Verdict::kValid) result.verdict = Verdict::kUnknown;
  const nlohmann::json report =
      runner::BuildReport(*config, artifacts->history, result.findings, result.verdict, notes);
  if (!runner::WriteReportFiles(dir, report, &artifacts->history, &error)) {
    result.reason = error;
    return result;
  }
  result.judged = true;
  result.report_text = runner::FormatReportText(report);
  if (result.verdict == Verdict::kUnknown) {
    // Which checkers could not decide, and why, on one line.
    if (!complete && notes.contains("reason")) {
      result.reason = notes["reason"].get<std::string>();
    } else {
      result.reason = UnknownVerdictReason(result.findings);
    }
  }
  return result;
}

RunResult ExecuteAndJudge(const runner::RunOptions& given, Progress* progress) {
  runner::RunOptions options = given;
  if (progress != nullptr) {
    options.progress = [progress](int64_t done, int64_t total) { progress->Update(done, total); };
  }
  const auto started = std::chrono::steady_clock::now();
  const runner::RunOutcome outcome = runner::ExecuteRun(options);
  if (progress != nullptr) progress->Finish();
  const nlohmann::json notes = outcome.ToJson();
  using Status = runner::RunOutcome::Status;
  RunResult result;
  if (outcome.status == Status::kNotRunnable || outcome.status == Status::kHarnessError) {
    // Judge nothing: the failure is the harness's or the command's, not a
    // protocol violation. Leave a report if the directory was set up.
    std::string error;
    if (auto config = ReadJsonFile(options.out_dir / run_files::kRunConfig, &error)) {
      const nlohmann::json report = runner::BuildUnjudgedReport(*config, notes, outcome.reason);
      runner::WriteReportFiles(options.out_dir, report, nullptr, &error);
    }
    result.reason = outcome.reason;
    result.no_worker_mode = outcome.no_worker_mode;
  } else {
    result = JudgeRunDirectory(options.out_dir, notes, outcome.status == Status::kCompleted);
  }
  // As root, leave nothing the user who owns the tree cannot delete.
  if (std::string error; !runner::HandOverToDirectoryOwner(options.out_dir, &error)) {
    std::cerr << "lockharness: warning: " << error << "\n";
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace lockharness::harness::cli
