// Reader threads: sample the registry file as a plain reader would (open,
// read it whole, parse) and record what they saw.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <thread>
#include <unordered_set>

#include "src/runner/writer_context.h"

namespace lockharness::harness::runner {
namespace {

// Bounds that keep the history small however long the run: every distinct
// invalid sample is recorded (up to a cap), valid ones at a limited rate.
constexpr int64_t kValidRecordIntervalNs = 50'000'000;
constexpr int64_t kMaxInvalidRecorded = 200;

// A registry larger than this is not read to the end (its sample is judged
// on the prefix, which then fails to parse: reported, never a blow-up).
constexpr size_t kMaxSampleBytes = size_t{256} << 20;

// Reads the whole file. Returns false with errno set if it cannot be opened.
// O_NONBLOCK and the regular-file check: a FIFO or device planted in place
// of the registry can neither block the reader nor feed it forever.
bool ReadWholeFile(const std::filesystem::path& path, std::string* out) {
  out->clear();
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    out->assign("(not a regular file)");
    return true;
  }
  char chunk[65536];
  while (out->size() < kMaxSampleBytes) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      out->append(chunk, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(fd);
  return true;
}

}  // namespace

ReaderStats RunReader(RunContext* context, int reader_index) {
  ReaderStats stats;
  const int process = context->options->writers + reader_index;
  const int pid = static_cast<int>(::getpid());
  const auto pause = std::chrono::microseconds(context->options->reader_interval_us);
  std::unordered_set<size_t> invalid_seen;
  int64_t last_valid_recorded = -kValidRecordIntervalNs;
  std::string bytes;
  bool seen_file = false;
  bool reported_vanished = false;
  while (!context->writers_done.load() && !context->ShouldStop()) {
    const int64_t t = context->clock.Now();
    Event event;
    event.type = EventType::kRead;
    event.process = process;
    event.pid = pid;
    event.t = t;
    ++stats.samples;
    if (!ReadWholeFile(context->registry, &bytes)) {
      if (errno == ENOENT && !seen_file) {
        ++stats.missing;  // before the first write: the empty registry
      } else if (errno == ENOENT) {
        // Rename replaces the file atomically; a reader should never find
        // it gone once it exists (delete-then-write loses every entry).
        ++stats.missing;
        ++stats.invalid;
        if (!reported_vanished) {
          reported_vanished = true;
          event.valid = false;
          event.error = "registry file missing after it had existed";
          context->recorder->Record(event);
          ++stats.recorded;
        }
      } else {
        ++stats.invalid;
        event.valid = false;
        event.error = std::string("cannot read registry: ") + std::strerror(errno);
        context->recorder->Record(event);
        ++stats.recorded;
      }
    } else {
      seen_file = true;
      std::string error;
      if (context->validate(bytes, &error)) {
        if (t - last_valid_recorded >= kValidRecordIntervalNs) {
          event.valid = true;
          context->recorder->Record(event);
          ++stats.recorded;
          last_valid_recorded = t;
        }
      } else {
        ++stats.invalid;
        const size_t hash = std::hash<std::string>{}(bytes);
        if (static_cast<int64_t>(invalid_seen.size()) < kMaxInvalidRecorded &&
            invalid_seen.insert(hash).second) {
          event.valid = false;
          event.error = error + " (" + std::to_string(bytes.size()) + " bytes read)";
          context->recorder->Record(event);
          ++stats.recorded;
        }
      }
    }
    // Rest at least as long as the sample took, so a reader of a big file
    // uses at most about half a core and does not starve the writers.
    const auto spent = std::chrono::nanoseconds(context->clock.Now() - t);
    std::this_thread::sleep_for(std::max<std::chrono::nanoseconds>(pause, spent));
  }
  return stats;
}

}  // namespace lockharness::harness::runner
