// lost_update.cc: is the final registry reachable from the history?
//
// Each name is decided on its own by the name model (lost_update_names.h,
// where the model is described); the default pointer by its own model
// (lost_update_default.h). This file runs them, the names on two threads,
// and words the report.

#include "lockharness/harness/checkers/lost_update.h"

#include "lockharness/harness/checkers/name_groups.h"
#include "lockharness/harness/checkers/names.h"

#include <algorithm>
#include <iterator>
#include <optional>
#include <system_error>
#include <thread>

#include <nlohmann/json.hpp>

#include "lost_update_default.h"
#include "lost_update_names.h"

namespace lockharness::harness {
namespace {

using lost_update::Classify;
using lost_update::DefaultChecker;
using lost_update::Finding;
using lost_update::IsOk;
using lost_update::NameChecker;
using lost_update::NameOps;
using nlohmann::json;

constexpr size_t kMaxEvidenceFindings = 10;

void AddFindingEvidence(const Finding& finding, std::vector<std::string>* out) {
  out->push_back(finding.message);
  if (finding.anchor != nullptr) {
    out->push_back("  " + DescribeOperation(*finding.anchor));
    for (std::string& line : OperationEventLines(*finding.anchor)) {
      out->push_back("  " + line);
    }
  }
  for (const Operation* op : finding.related) {
    if (op != finding.anchor) out->push_back("  related: " + DescribeOperation(*op));
  }
}

// Operations that matter per name: all but lists and non-ok gets.
bool Relevant(const Operation& op) {
  return op.kind != OpKind::kList && (op.kind != OpKind::kGet || IsOk(op));
}

}  // namespace

CheckerReport CheckLostUpdate(const RunArtifacts& run, const OperationIndex& index) {
  return CheckLostUpdate(run, index, ParseFinalRegistry(run));
}

CheckerReport CheckLostUpdate(const RunArtifacts& run, const OperationIndex& index,
                              const FinalRegistry& final) {
  (void)run;
  CheckerReport report;
  report.checker = kLostUpdateChecker;
  if (final.present && !final.document) {
    report.verdict = Verdict::kUnknown;
    report.summary = "the final registry is not JSON (see json-validity)";
    return report;
  }
  static const json kEmptyDocument = json::object();
  const json& document = final.document ? *final.document : kEmptyDocument;
  const json* sandboxes = &kEmptyDocument;
  if (document.is_object() && document.contains("sandboxes")) {
    sandboxes = &document["sandboxes"];
  }
  bool shaped = document.is_object() && sandboxes->is_object();
  for (auto it = sandboxes->begin(); shaped && it != sandboxes->end(); ++it) {
    shaped = it->is_object();
  }
  if (!shaped) {
    report.verdict = Verdict::kUnknown;
    report.summary =
        "the final registry does not have the registry's shape (see "
        "json-validity)";
    return report;
  }

  int64_t ok_count = 0;
  int64_t in_doubt = 0;
  for (const Operation& op : index.operations) {
    if (!IsMutating(op.kind) || !op.MayHaveEffect()) continue;
    ++(IsOk(op) ? ok_count : in_doubt);
  }
  NameGroups groups = GroupByName(index, Relevant);

  std::vector<Finding> findings;
  std::vector<std::string> unknown;
  // Attach final entries to names in one pass over the final file.
  std::vector<const json*> entry_of(groups.names.size(), nullptr);
  for (auto it = sandboxes->begin(); it != sandboxes->end(); ++it) {
    if (std::optional<uint32_t> found = groups.Find(it.key())) {
      entry_of[*found] = &*it;
      continue;
    }
    findings.push_back({nullptr,
                        "entry " + it.key() +
                            " is in the final file, but no operation ever "
                            "named it",
                        {}});
  }
  // Names are independent: check the first of them, holding about half of
  // the operations (names differ a lot: one shared entry may have a quarter
  // of them), on a second thread. Results are concatenated in name order,
  // as if checked in one.
  struct Results {
    std::vector<Finding> findings;
    std::vector<std::string> unknown;
  };
  auto check_names = [&](size_t from, size_t to, Results* out) {
    NameOps ops;
    std::string name;
    for (size_t g = from; g < to; ++g) {
      Classify(groups.ops.data() + groups.begin[g], groups.ops.data() + groups.begin[g + 1], &ops);
      name.assign(groups.names[g]);
      NameChecker(name, ops, entry_of[g], &out->findings, &out->unknown).Check();
    }
  };
  const size_t half = static_cast<size_t>(
      std::lower_bound(groups.begin.begin(), groups.begin.end() - 1, groups.ops.size() / 2) -
      groups.begin.begin());
  Results first;
  Results second;
  std::optional<std::thread> helper;
  try {
    helper.emplace(check_names, 0, half, &first);
  } catch (const std::system_error&) {
    check_names(0, half, &first);
  }
  check_names(half, groups.names.size(), &second);
  if (helper) helper->join();
  for (Results* part : {&first, &second}) {
    std::move(part->findings.begin(), part->findings.end(), std::back_inserter(findings));
    std::move(part->unknown.begin(), part->unknown.end(), std::back_inserter(unknown));
  }
  const json* default_value =
      document.contains("defaultSandbox") ? &document["defaultSandbox"] : nullptr;
  std::string default_rule = DefaultChecker(index, *sandboxes, default_value, &findings).Check();

  std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
    int64_t ta = a.anchor ? a.anchor->invoked_at : INT64_MAX;
    int64_t tb = b.anchor ? b.anchor->invoked_at : INT64_MAX;
    return ta < tb;
  });
  std::sort(unknown.begin(), unknown.end());
  report.details = {{"names", groups.names.size()},       {"final_entries", sandboxes->size()},
                    {"acknowledged_mutations", ok_count}, {"in_doubt_mutations", in_doubt},
                    {"findings", findings.size()},        {"undecided_names", unknown.size()},
                    {"default_check", default_rule}};
  if (!findings.empty()) {
    report.verdict = Verdict::kInvalid;
    const Finding& first = findings.front();
    report.summary = first.message;
    if (first.anchor != nullptr) {
      report.summary += " (op " + std::to_string(first.anchor->id) + ")";
    }
    if (findings.size() > 1) {
      report.summary += "; " + std::to_string(findings.size() - 1) + " more";
    }
    for (size_t i = 0; i < findings.size() && i < kMaxEvidenceFindings; ++i) {
      AddFindingEvidence(findings[i], &report.evidence);
    }
    return report;
  }
  if (!unknown.empty()) {
    report.verdict = Verdict::kUnknown;
    report.summary = unknown.front();
    report.evidence = unknown;
    return report;
  }
  report.verdict = Verdict::kValid;
  report.summary = "the final registry is reachable: " + std::to_string(groups.names.size()) +
                   " names, " + std::to_string(ok_count) + " acknowledged and " +
                   std::to_string(in_doubt) + " in-doubt mutations";
  return report;
}

}  // namespace lockharness::harness
