// history.h: the record of one harness run, as events.
//
// A run's history is a JSON Lines file (`history.jsonl` in the run
// directory), one Event per line, in the order the harness observed them.
// Every operation appears as one `invoke` event followed later by exactly one
// completion event with the same `id`:
//   ok    the operation took effect (reads carry what they returned),
//   fail  the operation definitely did not take effect,
//   info  the outcome is unknown (process killed, timed out, crashed, garbage
//         output): a checker must accept both outcomes.
// Reader samples (`read`) and injected faults (`fault`) are events too.
//
// Line format (fields absent when not meaningful):
//   {"type":"invoke","id":7,"process":3,"writer":3,"pid":4242,"t":1234567,
//    "op":"update","name":"w3-17","fields":{"model":"w3-op7"}}
//   {"type":"ok","id":7,"process":3,"writer":3,"pid":4242,"t":1300000,
//    "lock_acquired":1250000,"lock_released":1290000}
//   {"type":"fail","id":8,...,"error":"unknown sandbox"}
//   {"type":"info","id":9,...,"error":"killed by SIGKILL"}
//   {"type":"read","id":-1,"process":70,"writer":-1,"pid":4300,"t":1400000,
//    "valid":false,"error":"parse error at byte 17"}
//   {"type":"fault","id":-1,"process":3,"writer":3,"pid":4242,"t":1500000,
//    "fault":"sigkill","kind":"kill-holder","target":"kill-holder: lock holder, writer 3"}
// `t`, `lock_acquired` and `lock_released` are CLOCK_MONOTONIC nanoseconds
// since the start of the run. `process` is the harness's index of the process
// slot; `writer` the workload's writer index (-1 for readers and the harness).
// Unknown fields are ignored on read, so the format can grow. `value` (the
// JSON a get/list printed) is written as a JSON string holding that text; a
// reader also accepts it as an embedded JSON object or array and keeps the
// raw text. Strings use JSON escapes; bytes >= 0x80 pass through unchanged.
//
// Reading a whole history: ReadHistoryFile() (or ParseHistory() on bytes in
// memory) parses every line with a small dedicated parser, fast enough for
// millions of events, and names the line and field of the first bad line.

#ifndef LOCKHARNESS_HARNESS_HISTORY_H_
#define LOCKHARNESS_HARNESS_HISTORY_H_

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lockharness::harness {

enum class EventType { kInvoke, kOk, kFail, kInfo, kRead, kFault };

// The registry operations of the adapter contract (docs/adapter-contract.md).
enum class OpKind { kRegister, kUpdate, kRemove, kSetDefault, kGet, kList };

std::string_view EventTypeName(EventType type);
std::optional<EventType> ParseEventType(std::string_view name);
std::string_view OpKindName(OpKind kind);  // "register", "set-default", ...
std::optional<OpKind> ParseOpKind(std::string_view name);
bool IsMutating(OpKind kind);

// KEY=VALUE pairs, in the order given. Values are strings.
using Fields = std::vector<std::pair<std::string, std::string>>;

struct Event {
  EventType type = EventType::kInvoke;
  int64_t id = -1;   // operation id; -1 for read and fault events
  int process = -1;  // harness process slot
  int writer = -1;   // workload writer index, -1 if none
  int pid = 0;       // OS pid, 0 if unknown
  int64_t t = 0;     // monotonic ns since run start

  // invoke (and optionally repeated on completion)
  std::optional<OpKind> op;
  std::string name;
  Fields fields;

  // ok / fail / info
  std::string error;
  std::optional<int64_t> lock_acquired;
  std::optional<int64_t> lock_released;
  std::string value;  // ok of get/list: the JSON the implementation printed

  // read samples
  std::optional<bool> valid;

  // fault events
  std::string fault;  // what was done: "sigkill", "forged-lock", ...
  // The configured nemesis or setup kind that did it ("kill-holder",
  // "dead-owner-lock"; "interposer" for a kill point of LOCKHARNESS_FAULTS).
  // Histories written before this field have it empty.
  std::string kind;
  std::string target;  // for people: whom it hit, e.g. "kill-holder: lock holder, writer 3"
};

// Serialises one event as a single JSON line, without the trailing newline.
std::string FormatEvent(const Event& event);

// Parses one line. On failure returns nullopt and sets *error (if non-null)
// to a message naming the offending field.
std::optional<Event> ParseEvent(std::string_view line, std::string* error);

// Appends `text` to *out as a JSON string literal (with the quotes),
// escaping quotes, backslashes and control characters.
void AppendJsonString(std::string_view text, std::string* out);

// Parses a whole history (JSON Lines; empty lines are skipped) and appends
// the events to *events in order. On failure returns false and sets *error
// to "line N: <what is wrong, naming the field>"; *events then holds the
// events of the lines before N.
// REQUIRES: events != nullptr, error != nullptr.
bool ParseHistory(std::string_view contents, std::vector<Event>* events, std::string* error);

// Reads and parses the history file at `path` as ParseHistory() does.
// On failure returns false and sets *error to "<path> line N: ..." or
// "<path>: <reason it could not be read>".
// REQUIRES: events != nullptr, error != nullptr.
bool ReadHistoryFile(const std::filesystem::path& path, std::vector<Event>* events,
                     std::string* error);

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_HISTORY_H_
