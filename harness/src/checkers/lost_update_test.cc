#include "lockharness/harness/checkers/lost_update.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_history.h"

namespace lockharness::harness {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing_util::kPending;
using testing_util::TestHistory;

constexpr EventType kOk = EventType::kOk;
constexpr EventType kFail = EventType::kFail;
constexpr EventType kInfo = EventType::kInfo;

// A registry document; each entry gets its "name" filled in.
std::string Doc(json sandboxes, json default_sandbox = nullptr) {
  for (auto it = sandboxes.begin(); it != sandboxes.end(); ++it) {
    (*it)["name"] = it.key();
  }
  return json{{"sandboxes", sandboxes}, {"defaultSandbox", default_sandbox}}.dump();
}

struct Checked {
  RunArtifacts run;
  CheckerReport report;
};

Checked Check(const TestHistory& h, std::optional<std::string> final_doc) {
  Checked c{h.Run(std::move(final_doc)), {}};
  OperationIndex index = IndexOperations(c.run.history);
  c.report = CheckLostUpdate(c.run, index);
  return c;
}

// Asserts an invalid verdict whose first finding is about op `id`.
void ExpectInvalidAt(const Checked& c, int64_t id, const std::string& text) {
  EXPECT_EQ(c.report.checker, "lost-update");
  EXPECT_EQ(c.report.verdict, Verdict::kInvalid) << c.report.summary;
  EXPECT_THAT(c.report.summary, HasSubstr("(op " + std::to_string(id) + ")"));
  EXPECT_THAT(c.report.summary, HasSubstr(text));
  ASSERT_GE(c.report.evidence.size(), 2u);
  EXPECT_THAT(c.report.evidence[1], HasSubstr("op " + std::to_string(id) + " "));
  // The anchor's events are quoted as history lines.
  bool quoted = false;
  for (const std::string& line : c.report.evidence) {
    if (line.find("\"id\":" + std::to_string(id) + ",") != std::string::npos) {
      quoted = true;
    }
  }
  EXPECT_TRUE(quoted) << "events of op " << id << " not in evidence";
}

void ExpectValid(const Checked& c) {
  EXPECT_EQ(c.report.verdict, Verdict::kValid)
      << c.report.summary << "\n"
      << (c.report.evidence.empty() ? "" : c.report.evidence[0]);
}

TEST(LostUpdate, SequentialHistoryIsValid) {
  TestHistory h;
  h.Register("a", {{"model", "m0"}}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30);
  h.Update("a", {{"provider", "p1"}}, 40, 50);
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}, {"provider", "p1"}}}}, "a")));
}

TEST(LostUpdate, EmptyHistoryAndMissingFileIsValid) {
  TestHistory h;
  ExpectValid(Check(h, std::nullopt));
  ExpectValid(Check(h, Doc(json::object())));
}

TEST(LostUpdate, OverwrittenByAnEarlierUpdateIsALostUpdate) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30);
  int64_t lost = h.Update("a", {{"model", "u2"}}, 40, 50);
  Checked c = Check(h, Doc({{"a", {{"model", "u1"}}}}, "a"));
  ExpectInvalidAt(c, lost, "the effect of this update is missing");
  EXPECT_THAT(c.report.summary, HasSubstr("a.model is 'u1'"));
}

TEST(LostUpdate, ConcurrentUpdatesMayApplyInEitherOrder) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 50);
  h.Update("a", {{"model", "u2"}}, 30, 40);  // inside u1's interval
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")));
  ExpectValid(Check(h, Doc({{"a", {{"model", "u2"}}}}, "a")));
}

TEST(LostUpdate, TouchingIntervalsAreConcurrent) {
  // Precedence needs completion strictly before invoke.
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30);
  h.Update("a", {{"model", "u2"}}, 30, 40);
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")));
}

TEST(LostUpdate, InfoUpdateMayOrMayNotHaveTakenEffect) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30);
  h.Update("a", {{"model", "u2"}}, 40, 50, kInfo);
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")));
  ExpectValid(Check(h, Doc({{"a", {{"model", "u2"}}}}, "a")));
}

TEST(LostUpdate, PendingOperationIsTreatedAsInDoubt) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30);
  h.Update("a", {{"model", "u2"}}, 25, kPending);
  ExpectValid(Check(h, Doc({{"a", {{"model", "u2"}}}}, "a")));
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")));
}

TEST(LostUpdate, InfoUpdateCannotOverwriteALaterOkUpdate) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30, kInfo);
  int64_t ok = h.Update("a", {{"model", "u2"}}, 40, 50);
  ExpectInvalidAt(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")), ok,
                  "the effect of this update is missing");
}

TEST(LostUpdate, ValueOfAFailedUpdateMustNotAppear) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  int64_t failed = h.Update("a", {{"model", "bad"}}, 20, 30, kFail);
  ExpectInvalidAt(Check(h, Doc({{"a", {{"model", "bad"}}}}, "a")), failed,
                  "written only by this failed operation");
  ExpectValid(Check(h, Doc({{"a", json::object()}}, "a")));
}

TEST(LostUpdate, ValueNoOperationWroteIsInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30);
  Checked c = Check(h, Doc({{"a", {{"model", "zzz"}}}}, "a"));
  EXPECT_EQ(c.report.verdict, Verdict::kInvalid);
  EXPECT_THAT(c.report.summary, HasSubstr("a.model is 'zzz'"));
  EXPECT_THAT(c.report.summary, HasSubstr("no operation on a wrote"));
}

TEST(LostUpdate, EntryNoOperationCreatedIsInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  Checked c = Check(h, Doc({{"a", json::object()}, {"ghost", json::object()}}, "a"));
  EXPECT_EQ(c.report.verdict, Verdict::kInvalid);
  EXPECT_THAT(c.report.summary, HasSubstr("entry ghost is in the final file"));
}

TEST(LostUpdate, EntryWhoseOnlyRegisterFailedIsInvalid) {
  TestHistory h;
  int64_t reg = h.Register("a", {}, 0, 10, kFail);
  ExpectInvalidAt(Check(h, Doc({{"a", json::object()}}, "a")), reg, "its register failed");
  ExpectValid(Check(h, Doc(json::object())));
}

TEST(LostUpdate, MissingRegisteredEntryIsALostRegister) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  int64_t lost = h.Register("b", {}, 20, 30);
  Checked c = Check(h, Doc({{"a", json::object()}}, "a"));
  ExpectInvalidAt(c, lost, "entry b is missing from the final file");
}

TEST(LostUpdate, RemovedEntryMustBeGone) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  int64_t remove = h.Remove("a", 20, 30);
  ExpectValid(Check(h, Doc(json::object())));
  ExpectInvalidAt(Check(h, Doc({{"a", json::object()}})), remove, "its remove was acknowledged");
}

TEST(LostUpdate, InfoRemoveMayOrMayNotHaveTakenEffect) {
  TestHistory h;
  h.Register("a", {{"model", "m0"}}, 0, 10);
  h.Remove("a", 20, 30, kInfo);
  ExpectValid(Check(h, Doc(json::object())));
  ExpectValid(Check(h, Doc({{"a", {{"model", "m0"}}}}, "a")));
}

TEST(LostUpdate, UpdateAcknowledgedAfterTheOnlyRemoveMeansRemoveDidNotApply) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Remove("a", 20, 30, kInfo);
  int64_t update = h.Update("a", {{"model", "u1"}}, 40, 50);
  ExpectInvalidAt(Check(h, Doc(json::object())), update,
                  "every remove of it completed before this operation");
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")));
}

TEST(LostUpdate, RemoveConcurrentWithUpdateMayComeLast) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 40);
  h.Remove("a", 30, 50);
  ExpectValid(Check(h, Doc(json::object())));
}

TEST(LostUpdate, UpdateConcurrentWithRegisterMayApplyOrBeRefused) {
  TestHistory h;
  h.Register("a", {{"model", "m0"}}, 10, 30);
  h.Update("a", {{"model", "u1"}}, 20, 40);  // ok: applied after
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")));

  TestHistory refused;
  refused.Register("a", {{"model", "m0"}}, 10, 30);
  refused.Update("a", {{"model", "u1"}}, 20, 40, kFail);  // applied before
  ExpectValid(Check(refused, Doc({{"a", {{"model", "m0"}}}}, "a")));
}

TEST(LostUpdate, OkUpdateBeforeRegisterWasInvokedIsInvalid) {
  TestHistory h;
  int64_t update = h.Update("a", {{"model", "u1"}}, 0, 10);
  h.Register("a", {}, 20, 30);
  ExpectInvalidAt(Check(h, Doc({{"a", json::object()}}, "a")), update,
                  "acknowledged before its register was invoked");
}

TEST(LostUpdate, OkOperationOnANameNeverRegisteredIsInvalid) {
  TestHistory h;
  int64_t set = h.SetDefault("nope", 0, 10);
  ExpectInvalidAt(Check(h, Doc(json::object())), set, "no register of it can have taken effect");
}

TEST(LostUpdate, InfoRegisterMayOrMayNotHaveTakenEffect) {
  TestHistory h;
  h.Register("a", {}, 0, 10, kInfo);
  ExpectValid(Check(h, Doc(json::object())));
  ExpectValid(Check(h, Doc({{"a", json::object()}}, "a")));
}

TEST(LostUpdate, OkUpdateProvesAnInfoRegisterTookEffect) {
  TestHistory h;
  h.Register("a", {}, 0, 10, kInfo);
  int64_t update = h.Update("a", {{"model", "u1"}}, 20, 30);
  ExpectInvalidAt(Check(h, Doc(json::object())), update, "entry a is missing from the final file");
}

TEST(LostUpdate, TwoAcknowledgedRemovesAreInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Remove("a", 20, 40);
  int64_t second = h.Remove("a", 30, 50);
  ExpectInvalidAt(Check(h, Doc(json::object())), second, "two removes of a were acknowledged");
}

TEST(LostUpdate, RegisterValueSurvivingALaterUpdateIsALostUpdate) {
  TestHistory h;
  h.Register("a", {{"model", "m0"}}, 0, 10);
  int64_t update = h.Update("a", {{"model", "u1"}}, 20, 30);
  ExpectInvalidAt(Check(h, Doc({{"a", {{"model", "m0"}}}}, "a")), update,
                  "(the register), which must precede it");
  // A field the register set cannot become unset either.
  Checked unset = Check(h, Doc({{"a", {{"model", nullptr}}}}, "a"));
  ExpectInvalidAt(unset, update, "a.model is unset");
}

TEST(LostUpdate, FieldNotGivenToRegisterIsUnsetUntilUpdated) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Update("a", {{"model", "u1"}}, 20, 30, kInfo);
  ExpectValid(Check(h, Doc({{"a", json::object()}}, "a")));
  ExpectValid(Check(h, Doc({{"a", {{"model", nullptr}}}}, "a")));
  ExpectValid(Check(h, Doc({{"a", {{"model", "u1"}}}}, "a")));
}

TEST(LostUpdate, NonStringRegisterValuesCompareByTheirJson) {
  TestHistory h;
  h.Register("a", {{"gpuEnabled", "true"}}, 0, 10);
  ExpectValid(Check(h, Doc({{"a", {{"gpuEnabled", true}}}}, "a")));
  Checked c = Check(h, Doc({{"a", {{"gpuEnabled", false}}}}, "a"));
  EXPECT_EQ(c.report.verdict, Verdict::kInvalid);
}

TEST(LostUpdate, MultiFieldUpdatesMustSurviveTogether) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  int64_t u1 = h.Update("a", {{"model", "m1"}, {"provider", "p1"}}, 20, 50);
  int64_t u2 = h.Update("a", {{"model", "m2"}, {"provider", "p2"}}, 30, 60);
  ExpectValid(Check(h, Doc({{"a", {{"model", "m1"}, {"provider", "p1"}}}}, "a")));
  ExpectValid(Check(h, Doc({{"a", {{"model", "m2"}, {"provider", "p2"}}}}, "a")));
  Checked torn = Check(h, Doc({{"a", {{"model", "m1"}, {"provider", "p2"}}}}, "a"));
  EXPECT_EQ(torn.report.verdict, Verdict::kInvalid);
  EXPECT_THAT(torn.report.summary, HasSubstr("cannot all be the last writers"));
  EXPECT_TRUE(torn.report.summary.find("(op " + std::to_string(u1) + ")") != std::string::npos ||
              torn.report.summary.find("(op " + std::to_string(u2) + ")") != std::string::npos);
}

TEST(LostUpdate, PartiallySurvivingUpdateIsInvalid) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  int64_t u1 = h.Update("a", {{"model", "m1"}, {"provider", "p1"}}, 20, 30);
  Checked c = Check(h, Doc({{"a", {{"model", "m1"}}}}, "a"));
  EXPECT_EQ(c.report.verdict, Verdict::kInvalid);
  EXPECT_THAT(c.report.summary, HasSubstr("(op " + std::to_string(u1) + ")"));
}

TEST(LostUpdate, NameRegisteredTwiceIsUnknown) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Register("a", {}, 20, 30);
  Checked c = Check(h, Doc({{"a", json::object()}}, "a"));
  EXPECT_EQ(c.report.verdict, Verdict::kUnknown);
  EXPECT_THAT(c.report.summary, HasSubstr("registered more than once"));
}

TEST(LostUpdate, UnreadableFinalFileIsUnknown) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  EXPECT_EQ(Check(h, "{\"sandboxes\":").report.verdict, Verdict::kUnknown);
  EXPECT_EQ(Check(h, "[]").report.verdict, Verdict::kUnknown);
}

TEST(LostUpdate, ReportsTheEarliestOfSeveralFindings) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Register("b", {}, 0, 10);
  h.Update("b", {{"model", "b1"}}, 20, 30);
  int64_t late = h.Update("b", {{"model", "b2"}}, 100, 110);
  h.Update("a", {{"model", "a1"}}, 20, 30);
  int64_t early = h.Update("a", {{"model", "a2"}}, 40, 50);
  Checked c = Check(h, Doc({{"a", {{"model", "a1"}}}, {"b", {{"model", "b1"}}}}, "a"));
  ExpectInvalidAt(c, early, "missing");
  EXPECT_THAT(c.report.summary, HasSubstr("1 more"));
  EXPECT_EQ(c.report.details["findings"], 2);
  (void)late;
}

// The default pointer.

TEST(LostUpdateDefault, DefaultMustNameAnEntry) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  Checked c = Check(h, Doc({{"a", json::object()}}, "gone"));
  EXPECT_EQ(c.report.verdict, Verdict::kInvalid);
  EXPECT_THAT(c.report.summary, HasSubstr("names no entry"));
}

TEST(LostUpdateDefault, LastSetDefaultMustStick) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Register("b", {}, 20, 30);
  h.SetDefault("a", 40, 50);
  int64_t last = h.SetDefault("b", 60, 70);
  json both = {{"a", json::object()}, {"b", json::object()}};
  ExpectValid(Check(h, Doc(both, "b")));
  Checked c = Check(h, Doc(both, "a"));
  ExpectInvalidAt(c, last, "the effect of this set-default is missing");
  EXPECT_EQ(c.report.details["default_check"], "last set-default");
}

TEST(LostUpdateDefault, ConcurrentSetDefaultsLeaveOnlyTheInvariant) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Register("b", {}, 20, 30);
  h.SetDefault("a", 40, 70);
  h.SetDefault("b", 50, 60);
  json both = {{"a", json::object()}, {"b", json::object()}};
  ExpectValid(Check(h, Doc(both, "a")));
  ExpectValid(Check(h, Doc(both, "b")));
}

TEST(LostUpdateDefault, LaterInfoSetDefaultMakesItUnknowable) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Register("b", {}, 20, 30);
  h.SetDefault("a", 40, 50);
  h.SetDefault("b", 60, 70, kInfo);
  json both = {{"a", json::object()}, {"b", json::object()}};
  ExpectValid(Check(h, Doc(both, "a")));
  ExpectValid(Check(h, Doc(both, "b")));
}

TEST(LostUpdateDefault, FailedSetDefaultHasNoEffect) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Register("b", {}, 20, 30);
  int64_t set = h.SetDefault("a", 40, 50);
  h.SetDefault("b", 60, 70, kFail);
  json both = {{"a", json::object()}, {"b", json::object()}};
  ExpectInvalidAt(Check(h, Doc(both, "b")), set, "set-default is missing");
}

TEST(LostUpdateDefault, RemoveOfTheDefaultAfterSetDefaultLeavesTheInvariant) {
  TestHistory h;
  h.Register("a", {}, 0, 10);
  h.Register("b", {}, 20, 30);
  h.SetDefault("b", 40, 50);
  h.Remove("b", 60, 70);
  ExpectValid(Check(h, Doc({{"a", json::object()}}, "a")));
  // The invariant still holds: null is allowed, a removed name is not.
  ExpectValid(Check(h, Doc({{"a", json::object()}})));
  EXPECT_EQ(Check(h, Doc({{"a", json::object()}}, "b")).report.verdict, Verdict::kInvalid);
}

TEST(LostUpdateDefault, WithoutSetDefaultOrRemoveTheFirstRegisterIsDefault) {
  TestHistory h;
  int64_t first = h.Register("a", {}, 0, 10);
  h.Register("b", {}, 20, 30);
  json both = {{"a", json::object()}, {"b", json::object()}};
  ExpectValid(Check(h, Doc(both, "a")));
  ExpectInvalidAt(Check(h, Doc(both, "b")), first,
                  "the effect of this register on the default is missing");
  ExpectInvalidAt(Check(h, Doc(both)), first, "defaultSandbox is null");
}

TEST(LostUpdateDefault, ConcurrentFirstRegistersMayEitherBeDefault) {
  TestHistory h;
  h.Register("a", {}, 0, 30);
  h.Register("b", {}, 10, 20);
  json both = {{"a", json::object()}, {"b", json::object()}};
  ExpectValid(Check(h, Doc(both, "a")));
  ExpectValid(Check(h, Doc(both, "b")));
}

}  // namespace
}  // namespace lockharness::harness
