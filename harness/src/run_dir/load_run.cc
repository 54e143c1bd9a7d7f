// load_run.cc: LoadRunDirectory(), reading a run directory back for checks.

#include <algorithm>
#include <fstream>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "lockharness/harness/run_dir/files.h"
#include "lockharness/harness/run_dir/load_run.h"
#include "lockharness/harness/runner/run_config.h"
#include "lockharness/interposer/trace_reader.h"

namespace lockharness::harness {
namespace {

namespace fs = std::filesystem;

// What the implementation leaves is input: a FIFO or device in place of a
// file would hang or exhaust the reader, so only regular files are read,
// whole and up to kMaxReadBytes. The trace is the exception: it is read
// line by line, and bounded by its events (interposer::TraceBounds).
constexpr int64_t kMaxReadBytes = int64_t{1} << 30;

std::optional<std::string> NotRegularFile(const fs::path& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (ec) return path.string() + ": cannot open: " + ec.message();
  if (!fs::is_regular_file(status)) return path.string() + ": not a regular file";
  return std::nullopt;
}

std::optional<std::string> NotReadable(const fs::path& path) {
  if (auto why = NotRegularFile(path)) return why;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  if (!ec && static_cast<int64_t>(size) > kMaxReadBytes) {
    return path.string() + ": " + std::to_string(size) + " bytes exceed the limit of " +
           std::to_string(kMaxReadBytes) + " bytes";
  }
  return std::nullopt;
}

bool ReadWholeFile(const fs::path& path, std::string* contents, std::string* error) {
  if (auto why = NotReadable(path)) {
    *error = *why;
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path.string() + ": cannot open";
    return false;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    *error = path.string() + ": read error";
    return false;
  }
  *contents = std::move(buffer).str();
  return true;
}

}  // namespace

std::optional<RunArtifacts> LoadRunDirectory(const fs::path& dir, std::string* error) {
  RunArtifacts run;
  const fs::path config_path = dir / run_files::kRunConfig;
  std::string text;
  if (!ReadWholeFile(config_path, &text, error)) return std::nullopt;
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // parse_error, or a number out of range
    *error = config_path.string() + ": not JSON (" + e.what() + ")";
    return std::nullopt;
  }
  if (!config.is_object()) {
    *error = config_path.string() + ": expected an object";
    return std::nullopt;
  }
  // Strictly, through the run-configuration codec: a misspelt key is an
  // error, not a silent default.
  std::string why;
  const std::optional<runner::RunOptions> options = runner::FromJson(config, &why);
  if (!options) {
    *error = config_path.string() + ": " + why;
    return std::nullopt;
  }
  // The limits the checkers judge by must have been recorded.
  for (const char* field : {"op_timeout_ms", "takeover_bound_ms"}) {
    if (!config.contains(field)) {
      *error = config_path.string() + ": field '" + field + "' is missing";
      return std::nullopt;
    }
  }
  run.limits.op_timeout_ns = options->op_timeout_ms * 1'000'000;
  run.limits.takeover_bound_ns = options->takeover_bound_ms * 1'000'000;
  std::string registry = run_files::RegistryRelativePath();
  if (auto it = config.find("registry"); it != config.end()) {
    if (!it->is_string() || it->get<std::string>().empty()) {
      *error = config_path.string() + ": field 'registry' must be a path";
      return std::nullopt;
    }
    registry = it->get<std::string>();
  }
  // A run.json without "observation" predates default observation: its
  // trace, if any, was asked for.
  run.trace_requested =
      options->trace || !options->interposer_faults.empty() || !config.contains("observation");
  if (auto it = config.find("observation"); it != config.end() && it->is_object()) {
    auto recorded = it->find("recorded");
    run.trace_recorded = recorded != it->end() && recorded->is_boolean() && recorded->get<bool>();
  }
  if (auto it = config.find("monotonic_origin_ns"); it != config.end()) {
    if (!it->is_number_integer()) {
      *error = config_path.string() + ": field 'monotonic_origin_ns' must be an integer";
      return std::nullopt;
    }
    run.monotonic_origin_ns = it->get<int64_t>();
  }
  run.writers_in_own_pid_namespaces = options->placement != runner::Placement::kSame;
  run.declared_lock_convention = options->lock_convention;
  for (const std::string& member : options->fleet) {
    if (member != options->impl && member != "{impl}") run.mixed_fleet = true;
  }
  const fs::path registry_path = dir / registry;
  run.registry_basename = registry_path.filename().string();
  {
    // The codec accepted lock_path, so it names a file beside the registry;
    // only its name matters here.
    std::string why;
    const auto lock_path =
        runner::ResolveLockPath(options->lock_path, registry_path.lexically_normal(), &why);
    if (lock_path) run.lock_path_name = lock_path->filename().string();
  }

  if (!ReadHistoryFile(dir / run_files::kHistory, &run.history, error)) {
    return std::nullopt;
  }

  std::error_code ec;
  if (fs::exists(registry_path, ec)) {
    std::string bytes;
    if (!ReadWholeFile(registry_path, &bytes, error)) return std::nullopt;
    run.final_registry = std::move(bytes);
  }
  const fs::path registry_dir = registry_path.parent_path();
  fs::directory_iterator entries(registry_dir, ec);
  if (ec) {
    *error = registry_dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  for (const fs::directory_entry& entry : entries) {
    std::string name = entry.path().filename().string();
    if (name != run.registry_basename) run.directory_entries.push_back(name);
  }
  std::sort(run.directory_entries.begin(), run.directory_entries.end());

  for (const runner::NemesisSpec& nemesis : options->nemeses) {
    run.configured_faults.emplace_back(runner::NemesisKindName(nemesis.kind));
  }
  for (const runner::SetupSpec& step : options->setup) {
    run.configured_faults.emplace_back(runner::SetupKindName(step.kind));
  }
  const fs::path forged = dir / run_files::kSetupDir / run_files::kForgedCorruptRegistry;
  if (fs::exists(forged, ec)) {
    std::string bytes;
    if (!ReadWholeFile(forged, &bytes, error)) return std::nullopt;
    if (run.final_registry == bytes) run.corrupt_copies.push_back(run.registry_basename);
    for (const std::string& name : run.directory_entries) {
      const fs::path path = registry_dir / name;
      std::string copy;
      std::error_code size_ec;
      if (!fs::is_regular_file(path, size_ec) || fs::file_size(path, size_ec) != bytes.size()) {
        continue;
      }
      std::string ignored;
      if (ReadWholeFile(path, &copy, &ignored) && copy == bytes) run.corrupt_copies.push_back(name);
    }
    run.forged_corrupt_registry = std::move(bytes);
  }

  // The interposer's trace is optional: runs without LD_PRELOAD have none.
  const fs::path trace_path = dir / run_files::kTrace;
  if (fs::exists(trace_path, ec)) {
    if (auto why = NotRegularFile(trace_path)) {
      *error = *why;
      return std::nullopt;
    }
    run.trace = interposer::ReadTraceFile(trace_path.string(), error);
    if (!run.trace) return std::nullopt;
  }
  return run;
}

}  // namespace lockharness::harness
