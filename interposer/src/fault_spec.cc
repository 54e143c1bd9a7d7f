// Parser for LOCKHARNESS_FAULTS and the failnum encoding shared with the
// wrappers. Runs once per process (constructor), but still avoids the heap
// so it is safe in any host program.

#include "lockharness/interposer/fault_spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lockharness/errno_names.h"

namespace lockharness::interposer {
namespace {

constexpr std::string_view kFamilyNames[kCallFamilyCount] = {
    "open",  "write",  "fsync", "fdatasync", "rename", "mkdir",
    "rmdir", "unlink", "link",  "close",     "lock"};

constexpr std::string_view kActionNames[] = {"none",  "errno", "short",
                                             "delay", "kill",  "stop"};

std::string_view Trim(std::string_view s) {
  while (!s.empty() &&
         (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits off the text before `sep` (all of it if absent).
std::string_view NextToken(std::string_view* rest, char sep) {
  size_t pos = rest->find(sep);
  std::string_view token = rest->substr(0, pos);
  *rest = pos == std::string_view::npos ? std::string_view()
                                        : rest->substr(pos + 1);
  return token;
}

bool ParseUnsigned(std::string_view s, uint32_t max, uint32_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) return false;
  *out = static_cast<uint32_t>(value);
  return true;
}

bool ParseProbability(std::string_view s, float* out) {
  char buf[32];
  if (s.empty() || s.size() >= sizeof(buf)) return false;
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = '\0';
  char* end = nullptr;
  double p = strtod(buf, &end);
  if (end != buf + s.size() || !(p > 0.0) || p > 1.0) return false;
  *out = static_cast<float>(p);
  return true;
}

bool Fail(ParseError* error, std::string_view spec, const char* why) {
  snprintf(error->message, sizeof(error->message),
           "LOCKHARNESS_FAULTS: invalid spec '%.*s': %s",
           static_cast<int>(spec.size()), spec.data(), why);
  return false;
}

// Parses "<action>" into spec. Returns the reason on failure.
const char* ParseAction(std::string_view text, FaultSpec* spec) {
  std::string_view rest = text;
  std::string_view kind = NextToken(&rest, ':');
  std::string_view arg = rest;
  uint32_t number = 0;
  if (kind == "errno") {
    int e = 0;
    if (!ParseErrnoName(arg, &e)) return "unknown errno (use e.g. errno:EIO)";
    spec->kind = ActionKind::kErrno;
    spec->param = e;
  } else if (kind == "short") {
    if (!arg.empty() && !ParseUnsigned(arg, 1u << 30, &number)) {
      return "short takes an optional byte count (short or short:<bytes>)";
    }
    spec->kind = ActionKind::kShortWrite;
    spec->param = static_cast<int>(number);
  } else if (kind == "delay") {
    if (!ParseUnsigned(arg, 3600 * 1000, &number)) {
      return "delay needs milliseconds (delay:<ms>)";
    }
    spec->kind = ActionKind::kDelay;
    spec->param = static_cast<int>(number);
  } else if (kind == "kill" || kind == "stop") {
    if (!arg.empty()) return "kill and stop take no argument";
    spec->kind = kind == "kill" ? ActionKind::kKill : ActionKind::kStop;
  } else {
    return "unknown action (errno:<E>, short[:<n>], delay:<ms>, kill, stop)";
  }
  return nullptr;
}

const char* ParseModifier(std::string_view text, FaultSpec* spec) {
  std::string_view rest = text;
  std::string_view name = NextToken(&rest, ':');
  if (name == "once" && rest.empty() && text == "once") {
    spec->once = true;
  } else if (name == "every") {
    if (!ParseUnsigned(rest, kMaxEvery, &spec->every) || spec->every == 0) {
      return "every needs a count 1..4095 (every:<N>)";
    }
  } else if (name == "prob") {
    if (!ParseProbability(rest, &spec->probability)) {
      return "prob needs a probability 0 < P <= 1 (prob:<P>)";
    }
  } else {
    return "unknown modifier (once, every:<N>, prob:<P>)";
  }
  return nullptr;
}

bool ParseOneSpec(std::string_view text, FaultSpec* spec, ParseError* error) {
  std::string_view rest = text;
  std::string_view point = Trim(NextToken(&rest, '='));
  if (rest.empty()) return Fail(error, text, "expected <point>=<action>");
  if (!IsValidPointPattern(point)) {
    return Fail(error, text,
                "unknown point (lh/<call>/<class>; calls: open write fsync "
                "fdatasync rename mkdir rmdir unlink link close; classes: "
                "registry temp lock owner quarantine dir)");
  }
  if (point.size() >= sizeof(spec->point)) {
    return Fail(error, text, "point name too long");
  }
  memcpy(spec->point, point.data(), point.size());
  spec->point[point.size()] = '\0';

  const char* why = ParseAction(Trim(NextToken(&rest, ',')), spec);
  if (why != nullptr) return Fail(error, text, why);
  while (!rest.empty()) {
    why = ParseModifier(Trim(NextToken(&rest, ',')), spec);
    if (why != nullptr) return Fail(error, text, why);
  }
  if (spec->every > 1 && spec->probability >= 0) {
    return Fail(error, text, "every and prob cannot be combined");
  }
  if (spec->kind == ActionKind::kShortWrite &&
      point.find("/write/") == std::string_view::npos) {
    return Fail(error, text, "short applies to lh/write/... points only");
  }
  return true;
}

// Links each spec to the next one for the same point. Only `once` specs
// may have a successor; a successor is armed when its predecessor fires.
bool LinkChains(FaultList* list, ParseError* error) {
  for (int i = 0; i < list->count; ++i) {
    FaultSpec& spec = list->specs[i];
    for (int j = i + 1; j < list->count; ++j) {
      if (strcmp(list->specs[j].point, spec.point) != 0) continue;
      if (!spec.once) {
        snprintf(error->message, sizeof(error->message),
                 "LOCKHARNESS_FAULTS: point '%s' is given again after a spec "
                 "without 'once'; the later spec could never fire",
                 spec.point);
        return false;
      }
      spec.next_spec = j;
      list->specs[j].chained = true;
      break;
    }
  }
  return true;
}

}  // namespace

const char* CallFamilyName(CallFamily f) {
  auto index = static_cast<size_t>(f);
  return index < kCallFamilyCount ? kFamilyNames[index].data() : "?";
}

bool ParseCallFamily(std::string_view name, CallFamily* out) {
  for (int i = 0; i < kCallFamilyCount; ++i) {
    if (kFamilyNames[i] == name) {
      *out = static_cast<CallFamily>(i);
      return true;
    }
  }
  return false;
}

void FormatPointName(CallFamily f, PathClass c, char* out) {
  // Hand-rolled (no snprintf): this runs inside wrappers.
  size_t n = 0;
  auto append = [&](const char* s) {
    while (*s != '\0' && n + 1 < kPointNameSize) out[n++] = *s++;
  };
  append("lh/");
  append(CallFamilyName(f));
  append("/");
  append(PathClassName(c));
  out[n] = '\0';
}

const char* ActionKindName(ActionKind k) {
  auto index = static_cast<size_t>(k);
  return index < sizeof(kActionNames) / sizeof(kActionNames[0])
             ? kActionNames[index].data()
             : "unknown";
}

int EncodeFailnum(ActionKind kind, uint32_t every, bool advance,
                  int next_spec) {
  uint32_t value = static_cast<uint32_t>(kind) & 0xffu;
  value |= (every & 0xfffu) << 8;
  if (advance) value |= 1u << 20;
  if (next_spec >= 0)
    value |= (static_cast<uint32_t>(next_spec + 1) & 0x7fu) << 21;
  return static_cast<int>(value);
}

DecodedFailnum DecodeFailnum(int failnum) {
  auto value = static_cast<uint32_t>(failnum);
  DecodedFailnum d;
  uint32_t kind = value & 0xffu;
  d.kind = kind <= static_cast<uint32_t>(ActionKind::kStop)
               ? static_cast<ActionKind>(kind)
               : ActionKind::kNone;
  d.every = (value >> 8) & 0xfffu;
  d.advance = ((value >> 20) & 1u) != 0;
  d.next_spec = static_cast<int>((value >> 21) & 0x7fu) - 1;
  return d;
}

bool IsValidPointPattern(std::string_view point) {
  if (point == "lh/*") return true;
  std::string_view rest = point;
  if (NextToken(&rest, '/') != "lh") return false;
  CallFamily family;
  if (!ParseCallFamily(NextToken(&rest, '/'), &family)) return false;
  if (rest == "*") return true;
  PathClass c;
  return ParsePathClass(rest, &c) && c != PathClass::kOther;
}

bool ParseFaultList(const char* text, FaultList* out, ParseError* error) {
  out->count = 0;
  if (text == nullptr) return true;
  std::string_view rest(text);
  while (!rest.empty()) {
    std::string_view spec_text = Trim(NextToken(&rest, ';'));
    if (spec_text.empty()) continue;
    if (out->count == kMaxFaultSpecs) {
      return Fail(error, spec_text, "too many specs (at most 64)");
    }
    FaultSpec spec;
    if (!ParseOneSpec(spec_text, &spec, error)) return false;
    out->specs[out->count++] = spec;
  }
  return LinkChains(out, error);
}

}  // namespace lockharness::interposer
