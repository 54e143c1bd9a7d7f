// mutants_command.h: `lockharness mutants`, the harness validating itself.
//
// Runs a scenario suite against every deliberately broken variant of the
// reference client (`lockreg --mutant NAME`, names from `lockreg
// --list-mutants`) and against the reference itself, several times with
// different seeds. A mutant is caught by a scenario when a checker finds a
// violation there (or the protocol lint, where the scenario expects a clean
// lint). Prints the matrix mutant x scenario naming the checker that caught
// it, optionally writes it as Markdown, and exits 0 only when every mutant
// is caught and every reference run passes (no false positive). For each
// mutant it also reports the wall time from the start of its suite run to the
// end of the first scenario that caught it, the median over `mutant_runs`
// runs with different seeds: what finding that bug costs with this suite.

#ifndef LOCKHARNESS_HARNESS_SRC_CLI_MUTANTS_COMMAND_H_
#define LOCKHARNESS_HARNESS_SRC_CLI_MUTANTS_COMMAND_H_

#include <filesystem>
#include <string>
#include <vector>

namespace lockharness::harness::cli {

struct MutantsOptions {
  std::filesystem::path lockreg;     // the reference client binary
  std::filesystem::path suite;       // scenario suite directory
  std::filesystem::path out_dir;     // REQUIRES: absent or empty
  std::vector<std::string> mutants;  // empty: every mutant lockreg lists
  int reference_runs = 20;           // seeds: the files' own, then 1001, 1002...
  bool first_catch = false;          // stop a mutant's suite at its first catch
  int mutant_runs = 1;               // suite runs per mutant: the files' seeds, then 1001...
                                     // (the matrix shows the first; timing takes the median)
  std::filesystem::path markdown;    // write the matrix here if set
  // Run every lockreg with LOCKHARNESS_NO_SPANS=1: no self-reported lock
  // spans, so every verdict comes from what the harness observed.
  bool no_spans = false;
  std::string command_line;  // quoted in the Markdown
};

int MutantsCommand(const MutantsOptions& options);

}  // namespace lockharness::harness::cli

#endif  // LOCKHARNESS_HARNESS_SRC_CLI_MUTANTS_COMMAND_H_
