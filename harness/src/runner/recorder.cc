// History recording (see recorder.h).

#include "lockharness/harness/runner/recorder.h"

#include <time.h>

#include <cerrno>
#include <cstring>

namespace lockharness::harness::runner {

int64_t RunClock::AbsoluteNow() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

RunClock::RunClock() : start_ns_(AbsoluteNow()) {}

int64_t RunClock::Now() const { return AbsoluteNow() - start_ns_; }

std::unique_ptr<Recorder> Recorder::Open(const std::filesystem::path& path, std::string* error) {
  std::FILE* file = std::fopen(path.c_str(), "we");
  if (file == nullptr) {
    *error = "cannot create " + path.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  return std::unique_ptr<Recorder>(new Recorder(file));
}

Recorder::~Recorder() {
  if (file_ != nullptr) std::fclose(file_);
}

bool Recorder::Record(const Event& event) {
  std::string line = FormatEvent(event);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size()) {
    if (error_.empty()) error_ = std::string("write history: ") + std::strerror(errno);
    return false;
  }
  ++count_;
  return true;
}

void Recorder::Flush() {
  std::lock_guard<std::mutex> lock(mu_);
  if (std::fflush(file_) != 0 && error_.empty()) {
    error_ = std::string("flush history: ") + std::strerror(errno);
  }
}

int64_t Recorder::events_recorded() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

std::string Recorder::error() const {
  std::lock_guard<std::mutex> lock(mu_);
  return error_;
}

}  // namespace lockharness::harness::runner
