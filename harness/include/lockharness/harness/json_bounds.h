// json_bounds.h: the input bound every JSON document the harness reads from
// an implementation or a user is checked against before it is parsed: its
// size and its nesting depth (nlohmann::json serializes recursively, so an
// unbounded depth would be a stack overflow in an error message).

#ifndef LOCKHARNESS_HARNESS_JSON_BOUNDS_H_
#define LOCKHARNESS_HARNESS_JSON_BOUNDS_H_

#include <optional>
#include <string>
#include <string_view>

namespace lockharness::harness {

// nullopt if `text` is at most `max_bytes` long and no array or object in it
// nests deeper than `max_depth` (brackets inside strings do not count); else
// a one-line reason, e.g. "nesting deeper than 64 levels at byte 70".
inline std::optional<std::string> CheckJsonBounds(std::string_view text, size_t max_bytes,
                                                  int max_depth) {
  if (text.size() > max_bytes) {
    return std::to_string(text.size()) + " bytes exceed the limit of " + std::to_string(max_bytes) +
           " bytes";
  }
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return "nesting deeper than " + std::to_string(max_depth) + " levels at byte " +
               std::to_string(i);
      }
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

}  // namespace lockharness::harness

#endif  // LOCKHARNESS_HARNESS_JSON_BOUNDS_H_
