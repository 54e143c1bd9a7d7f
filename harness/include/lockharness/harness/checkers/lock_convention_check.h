// lock_convention_check.h: the lock convention an implementation declares
// (adapter catalog "lock_convention", or --lock-convention) against the
// one its trace shows ("lock-convention").
//
// A declared convention decides which scenarios apply and how setup steps
// forge their locks (runner/lock_convention.h), so it is checked, not
// trusted. The observed convention of an acquisition is its ObservedSpan's
// (trace_mutual_exclusion.h; "lock-file" counts as o-excl). Rules:
//   valid    some observed acquisition is of the declared convention (an
//            implementation may also make others: a put-back rename, a
//            link of a breaker's lock into place), or "none" was declared
//            and the trace shows no lock;
//   invalid  the trace shows locks, none of them of the declared
//            convention (or "none" was declared): the declaration is wrong,
//            with the first observed acquisition as evidence;
//   unknown  a lock was declared and the trace shows no acquisition at all
//            (a lock on a path the trace does not watch, or no write).
// Without a declaration there is nothing to check; the first observed
// acquisition (FirstObservedAcquisition) is then what a suite detects.
//
//   std::vector<ObservedSpan> spans = ObservedLockSpans(timeline);
//   CheckerReport r = CheckLockConvention("flock", spans);

#ifndef LOCKHARNESS_HARNESS_CHECKERS_LOCK_CONVENTION_CHECK_H_
#define LOCKHARNESS_HARNESS_CHECKERS_LOCK_CONVENTION_CHECK_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "lockharness/harness/checkers/checker_report.h"
#include "lockharness/harness/checkers/names.h"
#include "lockharness/harness/checkers/trace_mutual_exclusion.h"
#include "lockharness/harness/runner/lock_convention.h"

namespace lockharness::harness {

struct ObservedAcquisition {
  runner::LockConvention convention = runner::LockConvention::kMkdir;
  std::string how_acquired;  // ObservedSpan::how_acquired
  size_t line = 0;           // trace line
};

// The earliest acquisition in `spans` (by its earliest start) of a
// recognised convention; nullopt if there is none.
std::optional<ObservedAcquisition> FirstObservedAcquisition(const std::vector<ObservedSpan>& spans);

// REQUIRES: `declared` is a convention name (runner::ParseLockConvention).
CheckerReport CheckLockConvention(const std::string& declared,
                                  const std::vector<ObservedSpan>& spans);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_CHECKERS_LOCK_CONVENTION_CHECK_H_
