// history/parser.cc: a small dedicated parser for the flat history line
// format (see history.h), for one line and for a whole history.
//
// The parser is hand-written rather than built on a general JSON library
// because a run of a million operations has two million lines to read and
// the whole check must stay within a couple of seconds.

#include "lockharness/harness/history.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <latch>
#include <system_error>
#include <thread>

#include "match.h"

namespace lockharness::harness {
namespace {

using history_internal::Is;
using history_internal::MatchEventType;
using history_internal::MatchOpKind;

// Reads one line's JSON object. Positions are byte offsets into the line;
// errors name the field being read.
class LineParser {
 public:
  explicit LineParser(std::string_view line) : text_(line) {}

  // Parses the line into *event (which must be default-constructed).
  // On failure returns false and sets *error (if non-null).
  bool Parse(Event* event, std::string* error);

 private:
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }
  bool FailField(std::string_view field, std::string_view what) {
    return Fail("field '" + std::string(field) + "': " + std::string(what));
  }

  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\n')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  char Peek() {
    SkipSpace();
    return pos_ < text_.size() ? text_[pos_] : '\0';
  }

  // Consumes `literal` if the text continues with exactly it.
  template <size_t N>
  bool Literal(const char (&literal)[N]) {
    if (text_.size() - pos_ < N - 1 || std::memcmp(text_.data() + pos_, literal, N - 1) != 0) {
      return false;
    }
    pos_ += N - 1;
    return true;
  }

  // The fields FormatEvent() always writes first, in its order and without
  // spaces: {"type":"T","id":N,"process":N,"writer":N,"pid":N,"t":N.
  // Matching them literally skips the per-key work for half of each line.
  // Returns false on any difference; Parse() then starts again the general
  // way, which also words the error, so messages do not depend on this.
  bool ParseUsualPrefix(Event* event);
  // `"key":value` members separated by commas, up to (not including) '}'.
  bool ParseMembers(Event* event, bool* saw_type);
  bool ParseString(std::string_view field, std::string* out);
  // Reads a string that is usually plain (no escapes) as a view into the
  // line; strings with escapes are decoded into *scratch and viewed there.
  bool ParseToken(std::string_view field, std::string* scratch, std::string_view* out);
  bool ParseHex4(std::string_view field, uint32_t* out);
  bool ParseInt(std::string_view field, int64_t* out);
  bool ParseIntField(std::string_view field, int* out);
  bool ParseBool(std::string_view field, bool* out);
  bool ParseFields(Fields* out);
  bool SkipValue(std::string_view field, int depth);
  bool ParseMember(std::string_view key, Event* event, bool* saw_type);

  std::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

bool LineParser::ParseHex4(std::string_view field, uint32_t* out) {
  if (pos_ + 4 > text_.size()) return FailField(field, "truncated \\u escape");
  uint32_t value = 0;
  for (int i = 0; i < 4; ++i) {
    char c = text_[pos_++];
    value <<= 4;
    if (c >= '0' && c <= '9') {
      value |= static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      value |= static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      value |= static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return FailField(field, "bad hex digit in \\u escape");
    }
  }
  *out = value;
  return true;
}

void AppendUtf8(uint32_t code_point, std::string* out) {
  if (code_point < 0x80) {
    out->push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
}

bool LineParser::ParseString(std::string_view field, std::string* out) {
  if (!Consume('"')) return FailField(field, "expected a string");
  out->clear();
  while (true) {
    // Copy the run of plain bytes up to the next quote or backslash at once.
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\') {
      if (static_cast<unsigned char>(text_[pos_]) < 0x20) {
        return FailField(field, "unescaped control character in string");
      }
      ++pos_;
    }
    out->append(text_.data() + start, pos_ - start);
    if (pos_ >= text_.size()) return FailField(field, "unterminated string");
    if (text_[pos_++] == '"') return true;
    if (pos_ >= text_.size()) return FailField(field, "unterminated escape");
    char escape = text_[pos_++];
    switch (escape) {
      case '"': out->push_back('"'); break;
      case '\\': out->push_back('\\'); break;
      case '/': out->push_back('/'); break;
      case 'b': out->push_back('\b'); break;
      case 'f': out->push_back('\f'); break;
      case 'n': out->push_back('\n'); break;
      case 'r': out->push_back('\r'); break;
      case 't': out->push_back('\t'); break;
      case 'u': {
        uint32_t code = 0;
        if (!ParseHex4(field, &code)) return false;
        if (code >= 0xD800 && code <= 0xDBFF) {
          uint32_t low = 0;
          if (pos_ + 2 > text_.size() || text_[pos_] != '\\' || text_[pos_ + 1] != 'u') {
            return FailField(field, "unpaired surrogate in \\u escape");
          }
          pos_ += 2;
          if (!ParseHex4(field, &low)) return false;
          if (low < 0xDC00 || low > 0xDFFF) {
            return FailField(field, "unpaired surrogate in \\u escape");
          }
          code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
        } else if (code >= 0xDC00 && code <= 0xDFFF) {
          return FailField(field, "unpaired surrogate in \\u escape");
        }
        AppendUtf8(code, out);
        break;
      }
      default: return FailField(field, "invalid escape in string");
    }
  }
}

bool LineParser::ParseToken(std::string_view field, std::string* scratch, std::string_view* out) {
  SkipSpace();
  if (pos_ < text_.size() && text_[pos_] == '"') {
    size_t end = pos_ + 1;
    while (end < text_.size() && text_[end] != '"' && text_[end] != '\\' &&
           static_cast<unsigned char>(text_[end]) >= 0x20) {
      ++end;
    }
    if (end < text_.size() && text_[end] == '"') {
      *out = text_.substr(pos_ + 1, end - pos_ - 1);
      pos_ = end + 1;
      return true;
    }
  }
  if (!ParseString(field, scratch)) return false;
  *out = *scratch;
  return true;
}

bool LineParser::ParseInt(std::string_view field, int64_t* out) {
  SkipSpace();
  // Hand-rolled: this runs about seven times per line.
  const char* p = text_.data() + pos_;
  const char* const end = text_.data() + text_.size();
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  const char* const digits_begin = p;
  uint64_t magnitude = 0;
  // Eighteen digits cannot overflow 64 bits: no check needed for them.
  const char* const unchecked_end = end - digits_begin > 18 ? digits_begin + 18 : end;
  while (p < unchecked_end && static_cast<unsigned char>(*p - '0') < 10) {
    magnitude = magnitude * 10 + static_cast<uint64_t>(*p - '0');
    ++p;
  }
  while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
    const uint64_t digit = static_cast<uint64_t>(*p - '0');
    if (magnitude > (UINT64_MAX - digit) / 10) {
      return FailField(field, "integer out of range");
    }
    magnitude = magnitude * 10 + digit;
    ++p;
  }
  if (p == digits_begin) return FailField(field, "expected an integer");
  if (p < end && (*p == '.' || *p == 'e' || *p == 'E')) {
    return FailField(field, "expected an integer, got a fraction");
  }
  const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (magnitude > limit) return FailField(field, "integer out of range");
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  pos_ = static_cast<size_t>(p - text_.data());
  return true;
}

bool LineParser::ParseIntField(std::string_view field, int* out) {
  int64_t value = 0;
  if (!ParseInt(field, &value)) return false;
  if (value < INT32_MIN || value > INT32_MAX) {
    return FailField(field, "integer out of range");
  }
  *out = static_cast<int>(value);
  return true;
}

bool LineParser::ParseBool(std::string_view field, bool* out) {
  SkipSpace();
  std::string_view rest = text_.substr(pos_);
  if (rest.starts_with("true")) {
    pos_ += 4;
    *out = true;
    return true;
  }
  if (rest.starts_with("false")) {
    pos_ += 5;
    *out = false;
    return true;
  }
  return FailField(field, "expected true or false");
}

bool LineParser::ParseFields(Fields* out) {
  if (!Consume('{')) return FailField("fields", "expected an object");
  out->clear();
  if (Consume('}')) return true;
  do {
    auto& [key, value] = out->emplace_back();
    if (!ParseString("fields", &key)) return false;
    if (!Consume(':')) return FailField("fields", "expected ':'");
    if (!ParseString("fields", &value)) {
      // Name the member in the message; built only on this error path.
      error_ = "field 'fields." + key + "'" + error_.substr(error_.find(':'));
      return false;
    }
  } while (Consume(','));
  if (!Consume('}')) return FailField("fields", "expected ',' or '}'");
  return true;
}

// Skips any JSON value (used for unknown fields, so the format can grow).
bool LineParser::SkipValue(std::string_view field, int depth) {
  if (depth > 64) return FailField(field, "nested too deeply");
  char c = Peek();
  if (c == '"') {
    std::string ignored;
    return ParseString(field, &ignored);
  }
  if (c == '{' || c == '[') {
    char close = c == '{' ? '}' : ']';
    ++pos_;
    if (Consume(close)) return true;
    do {
      if (c == '{') {
        std::string ignored;
        if (!ParseString(field, &ignored)) return false;
        if (!Consume(':')) return FailField(field, "expected ':'");
      }
      if (!SkipValue(field, depth + 1)) return false;
    } while (Consume(','));
    if (!Consume(close)) return FailField(field, "unterminated object or array");
    return true;
  }
  std::string_view rest = text_.substr(pos_);
  for (std::string_view literal : {"true", "false", "null"}) {
    if (rest.starts_with(literal)) {
      pos_ += literal.size();
      return true;
    }
  }
  // A number: JSON's grammar is stricter, but a lenient skip is enough here.
  size_t start = pos_;
  while (pos_ < text_.size() && std::strchr("+-0123456789.eE", text_[pos_]) != nullptr &&
         text_[pos_] != '\0') {
    ++pos_;
  }
  if (pos_ == start) return FailField(field, "expected a JSON value");
  return true;
}

bool LineParser::ParseMember(std::string_view key, Event* event, bool* saw_type) {
  // Dispatch on the first character first: this runs for every field of
  // every line.
  switch (key.empty() ? '\0' : key[0]) {
    case 't':
      if (Is(key, "t")) return ParseInt(key, &event->t);
      if (Is(key, "type")) {
        std::string scratch;
        std::string_view name;
        if (!ParseToken(key, &scratch, &name)) return false;
        std::optional<EventType> type = MatchEventType(name);
        if (!type) {
          return FailField(key, "unknown event type '" + std::string(name) + "'");
        }
        event->type = *type;
        *saw_type = true;
        return true;
      }
      if (Is(key, "target")) return ParseString(key, &event->target);
      break;
    case 'i':
      if (Is(key, "id")) return ParseInt(key, &event->id);
      break;
    case 'k':
      if (Is(key, "kind")) return ParseString(key, &event->kind);
      break;
    case 'p':
      if (Is(key, "pid")) return ParseIntField(key, &event->pid);
      if (Is(key, "process")) return ParseIntField(key, &event->process);
      break;
    case 'w':
      if (Is(key, "writer")) return ParseIntField(key, &event->writer);
      break;
    case 'o':
      if (Is(key, "op")) {
        std::string scratch;
        std::string_view name;
        if (!ParseToken(key, &scratch, &name)) return false;
        event->op = MatchOpKind(name);
        if (!event->op) {
          return FailField(key, "unknown operation '" + std::string(name) + "'");
        }
        return true;
      }
      break;
    case 'n':
      if (Is(key, "name")) return ParseString(key, &event->name);
      break;
    case 'f':
      if (Is(key, "fields")) return ParseFields(&event->fields);
      if (Is(key, "fault")) return ParseString(key, &event->fault);
      break;
    case 'e':
      if (Is(key, "error")) return ParseString(key, &event->error);
      break;
    case 'l':
      if (Is(key, "lock_acquired") || Is(key, "lock_released")) {
        int64_t value = 0;
        if (!ParseInt(key, &value)) return false;
        (Is(key, "lock_acquired") ? event->lock_acquired : event->lock_released) = value;
        return true;
      }
      break;
    case 'v':
      if (Is(key, "value")) {
        if (Peek() == '"') return ParseString(key, &event->value);
        // Accept an embedded object/array too, keeping its raw text.
        size_t start = pos_;
        if (!SkipValue(key, 0)) return false;
        event->value.assign(text_.substr(start, pos_ - start));
        return true;
      }
      if (Is(key, "valid")) {
        bool value = false;
        if (!ParseBool(key, &value)) return false;
        event->valid = value;
        return true;
      }
      break;
    default: break;
  }
  return SkipValue(key, 0);
}

bool LineParser::ParseUsualPrefix(Event* event) {
  if (!Literal("{\"type\":\"")) return false;
  // A short name: a plain loop beats a call to memchr.
  size_t end = pos_;
  while (end < text_.size() && text_[end] != '"') ++end;
  if (end == text_.size()) return false;
  const std::optional<EventType> type = MatchEventType(text_.substr(pos_, end - pos_));
  if (!type) return false;
  event->type = *type;
  pos_ = end + 1;
  return Literal(",\"id\":") && ParseInt("id", &event->id) && Literal(",\"process\":") &&
         ParseIntField("process", &event->process) && Literal(",\"writer\":") &&
         ParseIntField("writer", &event->writer) && Literal(",\"pid\":") &&
         ParseIntField("pid", &event->pid) && Literal(",\"t\":") && ParseInt("t", &event->t);
}

bool LineParser::ParseMembers(Event* event, bool* saw_type) {
  std::string key_scratch;
  std::string_view key;
  do {
    if (!ParseToken("<key>", &key_scratch, &key)) return false;
    if (!Consume(':')) return FailField(key, "expected ':'");
    // A null value means "absent" for every field.
    SkipSpace();
    if (Is(text_.substr(pos_, 4), "null")) {
      pos_ += 4;
      continue;
    }
    if (!ParseMember(key, event, saw_type)) return false;
  } while (Consume(','));
  return true;
}

bool LineParser::Parse(Event* event, std::string* error) {
  bool saw_type = false;
  bool ok = true;
  if (ParseUsualPrefix(event)) {
    saw_type = true;
    if (Consume(',')) ok = ParseMembers(event, &saw_type);
    if (ok && !Consume('}')) ok = Fail("expected ',' or '}' after a field");
  } else {
    // Not the usual layout (or not valid): parse from the start, the
    // general way, which also words any error.
    *event = Event();
    pos_ = 0;
    error_.clear();
    if (!Consume('{')) {
      ok = Fail("expected a JSON object");
    } else if (!Consume('}')) {
      ok = ParseMembers(event, &saw_type);
      if (ok && !Consume('}')) ok = Fail("expected ',' or '}' after a field");
    }
  }
  if (ok) {
    SkipSpace();
    if (pos_ != text_.size()) ok = Fail("trailing characters after the object");
  }
  if (ok && !saw_type) ok = FailField("type", "missing");
  if (ok && event->type == EventType::kInvoke && !event->op) {
    ok = FailField("op", "missing on an invoke event");
  }
  if (!ok && error != nullptr) *error = error_;
  return ok;
}

}  // namespace

std::optional<Event> ParseEvent(std::string_view line, std::string* error) {
  Event event;
  if (!LineParser(line).Parse(&event, error)) return std::nullopt;
  return event;
}

namespace {

// Histories smaller than this are parsed on the calling thread only.
constexpr size_t kParallelParseBytes = 16u << 20;

// Parses the lines of `text`, numbered from `first_line`, into consecutive
// default-constructed events starting at `slots`, skipping blank lines.
// Sets *count to the number of events written (on failure: those before
// the bad line) and on failure *error to "line N: ...".
bool ParseLinesInto(std::string_view text, size_t first_line, Event* slots, size_t* count,
                    std::string* error) {
  size_t line_number = first_line - 1;
  size_t pos = 0;
  *count = 0;
  while (pos < text.size()) {
    ++line_number;
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string line_error;
    if (!LineParser(line).Parse(&slots[*count], &line_error)) {
      slots[*count] = Event();
      *error = "line " + std::to_string(line_number) + ": " + line_error;
      return false;
    }
    ++*count;
  }
  return true;
}

// Asks the kernel to fault in [begin, begin + bytes) for writing now, so
// that first writes do not fault page by page. Advisory: older kernels
// refuse and nothing changes.
void PrefaultForWrite(void* begin, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
  constexpr uintptr_t kPage = 4096;
  uintptr_t start = (reinterpret_cast<uintptr_t>(begin) + kPage - 1) & ~(kPage - 1);
  uintptr_t end = (reinterpret_cast<uintptr_t>(begin) + bytes) & ~(kPage - 1);
  if (end > start) {
    (void)::madvise(reinterpret_cast<void*>(start), end - start, MADV_POPULATE_WRITE);
  }
#else
  (void)begin;
  (void)bytes;
#endif
}

size_t CountLines(std::string_view text) {
  // memchr per line: measured several times faster than std::count here.
  size_t lines = 0;
  const char* at = text.data();
  const char* const end = at + text.size();
  while ((at = static_cast<const char*>(std::memchr(at, '\n', static_cast<size_t>(end - at)))) !=
         nullptr) {
    ++lines;
    ++at;
  }
  if (!text.empty() && text.back() != '\n') ++lines;
  return lines;
}

// One thread's share of a large history: its text, where its line numbers
// start, and what came of it.
struct Half {
  std::string_view text;
  size_t first_line = 1;
  size_t lines = 0;   // counted
  size_t count = 0;   // events parsed
  std::string error;  // set if parsing failed
  bool ok = false;
};

// Parses a history on one thread: count, construct, parse.
bool ParseOneThread(std::string_view contents, std::vector<Event>* events, std::string* error) {
  const size_t base = events->size();
  events->resize(base + CountLines(contents));
  size_t count = 0;
  bool ok = ParseLinesInto(contents, 1, events->data() + base, &count, error);
  events->resize(base + count);
  return ok;
}

// Large histories: two halves on two threads, in place. Counting the
// lines, faulting in the events' memory (the kernel zeroing hundreds of
// megabytes is a large share of the cost) and parsing are done by both
// threads at once; only constructing the events (std::vector) is done by
// the calling thread alone.
bool ParseTwoThreads(std::string_view contents, size_t split, std::vector<Event>* events,
                     std::string* error) {
  const size_t base = events->size();
  Half first;
  first.text = contents.substr(0, split + 1);
  Half second;
  second.text = contents.substr(split + 1);
  std::latch counted(1), reserved(1), constructed(1);
  Event* storage = nullptr;
  std::atomic<bool> abandoned{false};  // the calling thread failed: stop
  auto helper_work = [&] {
    second.lines = CountLines(second.text);
    counted.count_down();
    reserved.wait();
    if (abandoned) return;
    PrefaultForWrite(storage + base + first.lines, second.lines * sizeof(Event));
    constructed.wait();
    if (abandoned) return;
    second.ok = ParseLinesInto(second.text, second.first_line, events->data() + base + first.lines,
                               &second.count, &second.error);
  };
  std::optional<std::thread> helper;
  try {
    helper.emplace(helper_work);
  } catch (const std::system_error&) {
    return ParseOneThread(contents, events, error);
  }
  bool reserve_done = false;
  try {
    first.lines = CountLines(first.text);
    counted.wait();
    second.first_line = first.lines + 1;
    const size_t total = base + first.lines + second.lines;
    events->reserve(total);
    storage = events->data();
    reserve_done = true;
    reserved.count_down();
    PrefaultForWrite(storage + base, first.lines * sizeof(Event));
    events->resize(total);
  } catch (...) {
    // Out of memory: release the helper before the error goes on.
    abandoned = true;
    if (!reserve_done) reserved.count_down();
    constructed.count_down();
    helper->join();
    throw;
  }
  constructed.count_down();
  first.ok = ParseLinesInto(first.text, 1, events->data() + base, &first.count, &first.error);
  helper->join();
  if (!first.ok) {
    events->resize(base + first.count);
    *error = first.error;
    return false;
  }
  // Blank lines in the first half leave a gap before the second half.
  Event* first_slots = events->data() + base;
  Event* second_slots = first_slots + first.lines;
  if (first.count < first.lines) {
    std::move(second_slots, second_slots + second.count, first_slots + first.count);
  }
  events->resize(base + first.count + second.count);
  if (!second.ok) *error = second.error;
  return second.ok;
}

}  // namespace

bool ParseHistory(std::string_view contents, std::vector<Event>* events, std::string* error) {
  if (contents.size() >= kParallelParseBytes) {
    const size_t split = contents.find('\n', contents.size() / 2);
    if (split != std::string_view::npos && split + 1 < contents.size()) {
      return ParseTwoThreads(contents, split, events, error);
    }
  }
  return ParseOneThread(contents, events, error);
}

}  // namespace lockharness::harness
