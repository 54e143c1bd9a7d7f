// Splitting and resolving implementation command templates (see command.h).

#include "lockharness/harness/runner/command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

namespace lockharness::harness::runner {
namespace {

bool IsExecutableFile(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  // access() alone is not enough: for root it succeeds on any file with
  // an execute bit, and the bits are what exec checks.
  return S_ISREG(st.st_mode) && (st.st_mode & 0111) != 0 && ::access(path.c_str(), X_OK) == 0;
}

std::string ReplaceAll(std::string text, std::string_view from, std::string_view to) {
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

}  // namespace

std::optional<std::vector<std::string>> SplitCommandTemplate(std::string_view command,
                                                             std::string* error) {
  std::vector<std::string> words;
  std::string current;
  bool in_word = false;
  size_t i = 0;
  while (i < command.size()) {
    const char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(std::move(current));
      current.clear();
      in_word = false;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const size_t close = command.find('\'', i + 1);
      if (close == std::string_view::npos) {
        *error = "unterminated ' quote in command";
        return std::nullopt;
      }
      current.append(command.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '"') {
      ++i;
      bool closed = false;
      while (i < command.size()) {
        const char d = command[i];
        if (d == '"') {
          closed = true;
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < command.size() &&
            (command[i + 1] == '"' || command[i + 1] == '\\')) {
          current.push_back(command[i + 1]);
          i += 2;
          continue;
        }
        current.push_back(d);
        ++i;
      }
      if (!closed) {
        *error = "unterminated \" quote in command";
        return std::nullopt;
      }
    } else if (c == '\\') {
      if (i + 1 >= command.size()) {
        *error = "trailing backslash in command";
        return std::nullopt;
      }
      current.push_back(command[i + 1]);
      i += 2;
    } else {
      current.push_back(c);
      ++i;
    }
  }
  if (in_word) words.push_back(std::move(current));
  if (words.empty()) {
    *error = "empty command";
    return std::nullopt;
  }
  return words;
}

std::vector<std::string> InstantiateCommand(const std::vector<std::string>& words,
                                            const std::string& registry,
                                            const std::filesystem::path& launch_dir) {
  std::vector<std::string> argv;
  argv.reserve(words.size());
  for (size_t i = 0; i < words.size(); ++i) {
    std::string word = ReplaceAll(words[i], "{registry}", registry);
    const bool path_lookup = i == 0 && word.find('/') == std::string::npos;
    if (!path_lookup && !word.empty() && word[0] != '/' && word[0] != '-') {
      std::error_code ec;
      const std::filesystem::path candidate = launch_dir / word;
      if (std::filesystem::exists(candidate, ec)) {
        word = candidate.lexically_normal().string();
      }
    }
    argv.push_back(std::move(word));
  }
  return argv;
}

std::optional<std::string> ResolveProgram(const std::string& program) {
  if (program.empty()) return std::nullopt;
  if (program.find('/') != std::string::npos) {
    if (!IsExecutableFile(program)) return std::nullopt;
    return std::filesystem::absolute(program).string();
  }
  const char* path_env = std::getenv("PATH");
  const std::string path = path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string dir = path.substr(start, end - start);
    if (dir.empty()) dir = ".";
    const std::string candidate = dir + "/" + program;
    if (IsExecutableFile(candidate)) {
      return std::filesystem::absolute(candidate).string();
    }
    start = end + 1;
  }
  return std::nullopt;
}

std::optional<std::string> CheckRunnable(const std::vector<std::string>& argv) {
  if (argv.empty()) return std::string("empty command");
  const std::string& program = argv[0];
  if (ResolveProgram(program)) return std::nullopt;
  if (program.find('/') == std::string::npos) {
    return "no such program on PATH: " + program;
  }
  struct stat st;
  if (::stat(program.c_str(), &st) != 0) return "no such file: " + program;
  if (!S_ISREG(st.st_mode)) return "not a regular file: " + program;
  return "not executable: " + program;
}

std::string QuoteWord(std::string_view word) {
  bool plain = !word.empty();
  for (char c : word) {
    const bool safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '/' || c == '=' || c == ':' ||
                      c == ',' || c == '+' || c == '@' || c == '{' || c == '}';
    if (!safe) plain = false;
  }
  if (plain) return std::string(word);
  std::string quoted = "'";
  for (char c : word) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted.push_back(c);
    }
  }
  quoted += "'";
  return quoted;
}

}  // namespace lockharness::harness::runner
