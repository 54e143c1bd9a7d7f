// toml_reader.h: strict, position-reporting access to a parsed TOML table.
//
// Scenario and suite files are checked strictly: every key must be known,
// every value of the right type and range. TomlReader turns each problem
// into one line `<file>:<line>:<column>: <what>` and returns false, so a
// loader reads as a chain of `if (!reader.Int(...)) return nullopt;`.
//
// Accessors leave *out alone when the key is absent (the default stays).
// `context` names the table in messages: "" (top level), "[workload]",
// "[[nemesis]] #2".
//
// Usage:
//   TomlReader reader("x.toml", &error);
//   std::optional<toml::table> root = reader.Parse(text);
//   if (!root || !reader.CheckKeys(*root, "", {"name", "workload"})) ...
//   if (!reader.Int(*workload, "[workload]", "writers", 1, 1024, &w)) ...

#ifndef LOCKHARNESS_HARNESS_SRC_SCENARIO_TOML_READER_H_
#define LOCKHARNESS_HARNESS_SRC_SCENARIO_TOML_READER_H_

#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

namespace lockharness::harness::scenario {

class TomlReader {
 public:
  // REQUIRES: error != nullptr and outlives the reader.
  TomlReader(std::string file_for_messages, std::string* error)
      : file_(std::move(file_for_messages)), error_(error) {}

  // Input bound: a scenario file is at most kMaxScenarioBytes (1 MiB;
  // toml++ itself limits nesting to 256 levels, TOML_MAX_NESTED_VALUES).
  static constexpr size_t kMaxScenarioBytes = 1u << 20;

  // Parses `text`; on a syntax error sets the error (with toml++'s line and
  // column) and returns nullopt.
  std::optional<toml::table> Parse(std::string_view text);

  // Sets the error to `message` at `where` (no position if it has none).
  // Always returns false.
  bool Fail(const toml::source_region& where, std::string_view message);

  // Fails naming the first key of `table` that is not in `known`.
  bool CheckKeys(const toml::table& table, std::string_view context,
                 std::initializer_list<std::string_view> known);
  bool CheckKeys(const toml::table& table, std::string_view context,
                 const std::vector<std::string_view>& known);

  // An integer in [min, max].
  bool Int(const toml::table& table, std::string_view context, std::string_view key, int64_t min,
           int64_t max, int64_t* out);
  bool Int(const toml::table& table, std::string_view context, std::string_view key, int64_t min,
           int64_t max, int* out);
  // A string; if `allowed` is not empty, one of those.
  bool String(const toml::table& table, std::string_view context, std::string_view key,
              std::string* out, std::initializer_list<std::string_view> allowed = {});
  bool Bool(const toml::table& table, std::string_view context, std::string_view key, bool* out);
  // A non-empty array of strings.
  bool StringArray(const toml::table& table, std::string_view context, std::string_view key,
                   std::vector<std::string>* out);

  // The sub-table `key` (nullptr if absent, with *ok true); fails (*ok
  // false) if `key` holds anything but a table.
  const toml::table* Table(const toml::table& table, std::string_view key, bool* ok);
  // The array of tables `key` ([[key]]); nullptr if absent; fails like
  // Table() if it is anything else.
  const toml::array* TableArray(const toml::table& table, std::string_view key, bool* ok);

  // "key" or "[workload] key".
  static std::string Label(std::string_view context, std::string_view key);
  // "a string", "an integer", ...
  static std::string_view TypeName(const toml::node& node);
  // "'a', 'b' or 'c'" (for messages).
  static std::string QuoteList(const std::vector<std::string>& names);

 private:
  std::string file_;
  std::string* error_;
};

}  // namespace lockharness::harness::scenario

#endif  // LOCKHARNESS_HARNESS_SRC_SCENARIO_TOML_READER_H_
