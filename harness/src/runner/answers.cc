// Parsing implementation answers (see answers.h).

#include "lockharness/harness/runner/answers.h"

#include <nlohmann/json.hpp>

#include "lockharness/harness/json_bounds.h"

namespace lockharness::harness::runner {
namespace {

constexpr const char* kAcquired = "lock_acquired_ns";
constexpr const char* kReleased = "lock_released_ns";

std::string Excerpt(std::string_view text) {
  constexpr size_t kMax = 120;
  return text.size() <= kMax ? std::string(text) : std::string(text.substr(0, kMax)) + "...";
}

// Why `line` is beyond the input bound, or nullopt.
std::optional<std::string> OutOfBounds(std::string_view line) {
  return CheckJsonBounds(line, kMaxAnswerBytes, kMaxAnswerDepth);
}

// The span keys of a JSON object: absent (no span), or both integers.
SpanReading ReadSpan(const nlohmann::json& object) {
  SpanReading reading;
  auto acquired = object.find(kAcquired);
  auto released = object.find(kReleased);
  const bool has_acquired = acquired != object.end();
  const bool has_released = released != object.end();
  if (!has_acquired && !has_released) return reading;
  if (!has_acquired || !has_released) {
    reading.error = std::string(has_acquired ? kReleased : kAcquired) +
                    " missing (both or neither must be given)";
    return reading;
  }
  for (const auto& [key, value] :
       {std::pair{kAcquired, acquired}, std::pair{kReleased, released}}) {
    if (!value->is_number_integer()) {
      reading.error = std::string(key) + " is not an integer: " + Excerpt(value->dump());
      return reading;
    }
  }
  reading.span = LockSpan{acquired->get<int64_t>(), released->get<int64_t>()};
  return reading;
}

std::string_view LastLine(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.remove_suffix(1);
  }
  const size_t newline = text.rfind('\n');
  return newline == std::string_view::npos ? text : text.substr(newline + 1);
}

}  // namespace

std::optional<WorkerAnswer> ParseWorkerAnswer(std::string_view line, int64_t id,
                                              std::string* error) {
  auto fail = [&](std::string why) -> std::optional<WorkerAnswer> {
    if (error != nullptr) *error = std::move(why);
    return std::nullopt;
  };
  if (auto why = OutOfBounds(line)) return fail("worker answer rejected unparsed: " + *why);
  const nlohmann::json answer = nlohmann::json::parse(line, nullptr, false);
  if (answer.is_discarded() || !answer.is_object()) {
    return fail("worker printed a non-JSON line: " + Excerpt(line));
  }
  auto id_field = answer.find("id");
  auto ok = answer.find("ok");
  if (id_field == answer.end() || !id_field->is_number_integer() ||
      id_field->get<int64_t>() != id || ok == answer.end() || !ok->is_boolean()) {
    return fail("worker answer lacks \"id\":" + std::to_string(id) +
                " or boolean \"ok\": " + Excerpt(line));
  }
  WorkerAnswer parsed;
  parsed.ok = ok->get<bool>();
  if (auto it = answer.find("unknown"); it != answer.end()) {
    if (!it->is_boolean()) {
      return fail("worker answer has a non-boolean \"unknown\": " + Excerpt(line));
    }
    parsed.unknown = it->get<bool>();
  }
  if (auto it = answer.find("error"); it != answer.end()) {
    parsed.error = it->is_string() ? it->get<std::string>() : it->dump();
  }
  if (auto it = answer.find("value"); it != answer.end()) parsed.value = it->dump();
  parsed.span = ReadSpan(answer);
  return parsed;
}

SpanReading ParsePerOpSpan(std::string_view stdout_text) {
  const std::string_view line = LastLine(stdout_text);
  SpanReading reading;
  const bool mentions = line.find(kAcquired) != std::string_view::npos ||
                        line.find(kReleased) != std::string_view::npos;
  if (line.empty() || (line[0] != '{' && !mentions)) return reading;
  if (auto why = OutOfBounds(line)) {
    reading.error = "span line rejected unparsed: " + *why;
    return reading;
  }
  const nlohmann::json span = nlohmann::json::parse(line, nullptr, false);
  if (span.is_discarded() || !span.is_object()) {
    if (mentions) reading.error = "not a JSON object: " + Excerpt(line);
    return reading;
  }
  return ReadSpan(span);
}

}  // namespace lockharness::harness::runner
