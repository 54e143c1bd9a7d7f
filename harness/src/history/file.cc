// history/file.cc: reading a history file (history.h), mapped when it can
// be, and parsing it with ParseHistory().

#include "lockharness/harness/history.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace lockharness::harness {
namespace {

// The history file's bytes: mapped when possible (no copy of a file of
// hundreds of megabytes), else read.
class FileBytes {
 public:
  ~FileBytes() {
    if (mapped_ != nullptr) ::munmap(mapped_, size_);
  }
  bool Open(const std::filesystem::path& path, std::string* error) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      *error = path.string() + ": " + std::strerror(errno);
      return false;
    }
    bool ok = Load(fd, path, error);
    ::close(fd);
    return ok;
  }
  std::string_view view() const {
    return mapped_ != nullptr ? std::string_view(static_cast<const char*>(mapped_), size_)
                              : std::string_view(copy_);
  }

 private:
  bool Load(int fd, const std::filesystem::path& path, std::string* error) {
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
      if (p != MAP_FAILED) {
        mapped_ = p;
        return true;
      }
      copy_.reserve(size_);
    }
    char buffer[1 << 16];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof(buffer))) != 0) {
      if (n < 0) {
        if (errno == EINTR) continue;
        *error = path.string() + ": " + std::strerror(errno);
        return false;
      }
      copy_.append(buffer, static_cast<size_t>(n));
    }
    return true;
  }

  void* mapped_ = nullptr;
  size_t size_ = 0;
  std::string copy_;
};

}  // namespace

bool ReadHistoryFile(const std::filesystem::path& path, std::vector<Event>* events,
                     std::string* error) {
  FileBytes file;
  if (!file.Open(path, error)) return false;
  std::string parse_error;
  if (!ParseHistory(file.view(), events, &parse_error)) {
    *error = path.string() + " " + parse_error;
    return false;
  }
  return true;
}

}  // namespace lockharness::harness
