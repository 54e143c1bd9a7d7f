// The `run` flags, from the run-configuration codec (see run_flags.h).

#include "src/cli/run_flags.h"

#include <charconv>

#include "lockharness/harness/runner/run_config.h"

namespace lockharness::harness::cli {
namespace {

using runner::FieldType;
using runner::RunField;

std::string HelpText(const RunField& field) {
  std::string help(field.doc);
  if (field.type == FieldType::kInt) {
    help += " [" + std::to_string(field.min) + ".." + std::to_string(field.max) + "]";
  }
  return help;
}

// The flag's text as the JSON value the codec validates.
std::optional<nlohmann::json> FlagJson(const RunField& field, const RunFlags::Value& value,
                                       std::string* error) {
  const std::string flag(field.flag);
  switch (field.type) {
    case FieldType::kBool: return nlohmann::json(value.flag);
    case FieldType::kString: return nlohmann::json(value.text);
    case FieldType::kInt: {
      int64_t number = 0;
      const char* end = value.text.data() + value.text.size();
      auto [ptr, ec] = std::from_chars(value.text.data(), end, number);
      if (ec != std::errc() || ptr != end) {
        *error = flag + ": '" + value.text + "' is not an integer";
        return std::nullopt;
      }
      return nlohmann::json(number);
    }
    case FieldType::kUint: {
      uint64_t number = 0;
      const char* end = value.text.data() + value.text.size();
      auto [ptr, ec] = std::from_chars(value.text.data(), end, number);
      if (ec != std::errc() || ptr != end) {
        *error = flag + ": '" + value.text + "' is not an integer >= 0";
        return std::nullopt;
      }
      return nlohmann::json(number);
    }
    case FieldType::kStringList: return nlohmann::json(value.list);
    case FieldType::kSpecList: {
      nlohmann::json entries = nlohmann::json::array();
      for (const std::string& text : value.list) {
        std::string why;
        auto entry = runner::SpecTextToJson(text, &why);
        if (!entry) {
          *error = "bad " + flag + " '" + text + "': " + why;
          return std::nullopt;
        }
        entries.push_back(std::move(*entry));
      }
      return entries;
    }
  }
  return std::nullopt;
}

}  // namespace

CLI::App* AddRunSubcommand(CLI::App* app, RunFlags* flags) {
  CLI::App* run = app->add_subcommand("run", "run an implementation under a workload and judge it");
  flags->app = run;
  run->add_option("scenario", flags->scenario_file,
                  "a scenario file (scenarios/*/*.toml); then only --impl, --seed, --out and "
                  "--lock-convention and --registry-dir apply");
  run->add_option("--out", flags->out_dir, "run directory (absent or empty)");
  const auto& fields = runner::RunFields();
  flags->values.assign(fields.size(), RunFlags::Value{});
  for (size_t i = 0; i < fields.size(); ++i) {
    const RunField& field = fields[i];
    RunFlags::Value& value = flags->values[i];
    const std::string flag(field.flag);
    switch (field.type) {
      case FieldType::kBool:
        // "--observe,!--no-observe": a default-true option can be switched off.
        value.option =
            run->add_flag(flag + ",!--no-" + flag.substr(2), value.flag, HelpText(field));
        break;
      case FieldType::kStringList:
      case FieldType::kSpecList:
        value.option = run->add_option(flag, value.list, HelpText(field));
        break;
      default: value.option = run->add_option(flag, value.text, HelpText(field)); break;
    }
  }
  // --impl is required without a scenario file (RunOptionsFromFlags); a
  // scenario may name its adapter instead.
  return run;
}

CLI::Option* AddRunFieldOption(CLI::App* app, std::string_view json, std::string* text) {
  const RunField* field = runner::FindRunField(json);
  return app->add_option(std::string(field->flag), *text, HelpText(*field));
}

std::optional<std::string> SetRunFieldText(std::string_view json, const std::string& text,
                                           runner::RunOptions* options) {
  if (text.empty()) return std::nullopt;
  const RunField* field = runner::FindRunField(json);
  if (auto refused = field->set(*field, nlohmann::json(text), field->flag, options)) {
    return refused->message;
  }
  return std::nullopt;
}

bool FlagGiven(const RunFlags& flags, std::string_view json) {
  const auto& fields = runner::RunFields();
  for (size_t i = 0; i < fields.size() && i < flags.values.size(); ++i) {
    if (fields[i].json == json) {
      return flags.values[i].option != nullptr && flags.values[i].option->count() > 0;
    }
  }
  return false;
}

std::optional<runner::RunOptions> RunOptionsFromFlags(const RunFlags& flags, std::string* error) {
  runner::RunOptions options;
  const auto& fields = runner::RunFields();
  for (size_t i = 0; i < fields.size(); ++i) {
    const RunField& field = fields[i];
    const RunFlags::Value& value = flags.values[i];
    if (value.option == nullptr || value.option->count() == 0) continue;
    auto json = FlagJson(field, value, error);
    if (!json) return std::nullopt;
    const std::string flag(field.flag);
    if (auto refused = field.set(field, *json, flag, &options)) {
      *error = refused->message;
      if (field.type == FieldType::kSpecList && refused->element >= 0) {
        *error += " (" + flag + " '" + value.list[refused->element] + "')";
      }
      return std::nullopt;
    }
  }
  if (flags.scenario_file.empty() && options.impl.empty()) {
    *error = "--impl is required";
    return std::nullopt;
  }
  for (std::string& member : options.fleet) {
    if (member == "{impl}") member = options.impl;
  }
  options.out_dir = flags.out_dir;
  return options;
}

std::optional<runner::RunOptions> ParseRunArguments(const std::vector<std::string>& args,
                                                    std::string* error) {
  CLI::App app{"lockharness"};
  app.require_subcommand(1);
  RunFlags flags;
  AddRunSubcommand(&app, &flags);
  // CLI11 takes the arguments in reverse order.
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    *error = e.what();
    return std::nullopt;
  }
  return RunOptionsFromFlags(flags, error);
}

}  // namespace lockharness::harness::cli
