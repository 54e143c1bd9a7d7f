#include "lockharness/bench/scratch_dir.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>

namespace lockharness::bench {
namespace {

std::string DefaultBase() {
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
}

}  // namespace

ScratchDir::ScratchDir(const std::string& base) {
  std::string pattern = base + "/lhbench-XXXXXX";
  if (::mkdtemp(pattern.data()) != nullptr) path_ = pattern;
}

ScratchDir::ScratchDir() : ScratchDir(DefaultBase()) {}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  if (!path_.empty()) std::filesystem::remove_all(path_, ec);
}

}  // namespace lockharness::bench
