#include "src/scenario/toml_reader.h"

#include <algorithm>

namespace lockharness::harness::scenario {
namespace {

// "an integer >= 1" when the maximum is only the type's limit and `value`
// is within it, else "an integer from 1 to 1024".
std::string RangeText(int64_t min, int64_t max, int64_t value) {
  const bool type_limit =
      max == std::numeric_limits<int64_t>::max() || max == std::numeric_limits<int>::max();
  if (type_limit && value <= max) {
    return "an integer >= " + std::to_string(min);
  }
  return "an integer from " + std::to_string(min) + " to " + std::to_string(max);
}

}  // namespace

std::optional<toml::table> TomlReader::Parse(std::string_view text) {
  if (text.size() > kMaxScenarioBytes) {
    Fail(toml::source_region{}, std::to_string(text.size()) + " bytes exceed the limit of " +
                                    std::to_string(kMaxScenarioBytes) +
                                    " bytes for a scenario file");
    return std::nullopt;
  }
  try {
    return toml::parse(text, file_);
  } catch (const toml::parse_error& e) {
    Fail(e.source(), "TOML syntax error: " + std::string(e.description()));
    return std::nullopt;
  }
}

bool TomlReader::Fail(const toml::source_region& where, std::string_view message) {
  std::string text = file_;
  if (where.begin.line > 0) {
    text += ":" + std::to_string(where.begin.line) + ":" + std::to_string(where.begin.column);
  }
  text += ": ";
  text += message;
  // One line, whatever the message quoted.
  std::replace(text.begin(), text.end(), '\n', ' ');
  *error_ = std::move(text);
  return false;
}

bool TomlReader::CheckKeys(const toml::table& table, std::string_view context,
                           std::initializer_list<std::string_view> known) {
  return CheckKeys(table, context, std::vector<std::string_view>(known));
}

bool TomlReader::CheckKeys(const toml::table& table, std::string_view context,
                           const std::vector<std::string_view>& known) {
  for (const auto& [key, node] : table) {
    if (std::find(known.begin(), known.end(), key.str()) != known.end()) {
      continue;
    }
    std::string message = node.is_table() && !node.as_table()->is_inline()
                              ? "unknown table [" + std::string(key.str()) + "]"
                              : "unknown key '" + std::string(key.str()) + "'";
    if (!context.empty()) message += " in " + std::string(context);
    message += " (known: ";
    bool first = true;
    for (std::string_view k : known) {
      if (!first) message += ", ";
      message += k;
      first = false;
    }
    message += ")";
    // A key parsed from the text has a position; fall back to the value's.
    return Fail(key.source().begin.line > 0 ? key.source() : node.source(), message);
  }
  return true;
}

bool TomlReader::Int(const toml::table& table, std::string_view context, std::string_view key,
                     int64_t min, int64_t max, int64_t* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return true;
  const std::string label = Label(context, key) + " must be ";
  const auto* value = node->as_integer();
  if (value == nullptr) {
    return Fail(node->source(),
                label + RangeText(min, max, min) + ", got " + std::string(TypeName(*node)));
  }
  if (value->get() < min || value->get() > max) {
    return Fail(node->source(), label + RangeText(min, max, value->get()) + ", got " +
                                    std::to_string(value->get()));
  }
  *out = value->get();
  return true;
}

bool TomlReader::Int(const toml::table& table, std::string_view context, std::string_view key,
                     int64_t min, int64_t max, int* out) {
  max = std::min<int64_t>(max, std::numeric_limits<int>::max());
  int64_t wide = *out;
  if (!Int(table, context, key, min, max, &wide)) return false;
  *out = static_cast<int>(wide);
  return true;
}

bool TomlReader::String(const toml::table& table, std::string_view context, std::string_view key,
                        std::string* out, std::initializer_list<std::string_view> allowed) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return true;
  std::vector<std::string> names(allowed.begin(), allowed.end());
  const std::string want = Label(context, key) + " must be " +
                           (names.empty() ? std::string("a string") : QuoteList(names)) + ", got ";
  const auto* value = node->as_string();
  if (value == nullptr) {
    return Fail(node->source(), want + std::string(TypeName(*node)));
  }
  if (!names.empty() && std::find(names.begin(), names.end(), value->get()) == names.end()) {
    return Fail(node->source(), want + "'" + value->get() + "'");
  }
  *out = value->get();
  return true;
}

bool TomlReader::Bool(const toml::table& table, std::string_view context, std::string_view key,
                      bool* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return true;
  const auto* value = node->as_boolean();
  if (value == nullptr) {
    return Fail(node->source(), Label(context, key) + " must be true or false, got " +
                                    std::string(TypeName(*node)));
  }
  *out = value->get();
  return true;
}

bool TomlReader::StringArray(const toml::table& table, std::string_view context,
                             std::string_view key, std::vector<std::string>* out) {
  const toml::node* node = table.get(key);
  if (node == nullptr) return true;
  const std::string want = Label(context, key) + " must be a non-empty array of strings";
  const toml::array* array = node->as_array();
  if (array == nullptr) {
    return Fail(node->source(), want + ", got " + std::string(TypeName(*node)));
  }
  if (array->empty()) return Fail(node->source(), want + ", got []");
  std::vector<std::string> strings;
  for (const toml::node& element : *array) {
    const auto* value = element.as_string();
    if (value == nullptr) {
      return Fail(element.source(),
                  want + ", got an element that is " + std::string(TypeName(element)));
    }
    strings.push_back(value->get());
  }
  *out = std::move(strings);
  return true;
}

const toml::table* TomlReader::Table(const toml::table& table, std::string_view key, bool* ok) {
  *ok = true;
  const toml::node* node = table.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) {
    *ok = Fail(node->source(), std::string(key) + " must be a table [" + std::string(key) +
                                   "], got " + std::string(TypeName(*node)));
    return nullptr;
  }
  return node->as_table();
}

const toml::array* TomlReader::TableArray(const toml::table& table, std::string_view key,
                                          bool* ok) {
  *ok = true;
  const toml::node* node = table.get(key);
  if (node == nullptr) return nullptr;
  const toml::array* array = node->as_array();
  if (array == nullptr || !array->is_array_of_tables()) {
    *ok = Fail(node->source(), std::string(key) + " must be an array of tables [[" +
                                   std::string(key) + "]], got " + std::string(TypeName(*node)));
    return nullptr;
  }
  return array;
}

std::string TomlReader::Label(std::string_view context, std::string_view key) {
  if (context.empty()) return std::string(key);
  return std::string(context) + " " + std::string(key);
}

std::string_view TomlReader::TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

std::string TomlReader::QuoteList(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += "'" + names[i] + "'";
  }
  return text;
}

}  // namespace lockharness::harness::scenario
