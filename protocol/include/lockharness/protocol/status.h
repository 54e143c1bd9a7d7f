// status.h: errors as values for the protocol library.
//
// Every fallible operation returns a Status (or a StatusOr<T>) that the
// caller must inspect. A non-OK Status carries what went wrong (a Code), the
// protocol step that failed ("rename", "lock/mkdir", ...), the path involved,
// the errno if a system call failed, and whether the failure was injected by a
// fault point (so a checker can tell an injected failure from a real bug).
//
//   Status s = WriteFileAtomically(env, path, bytes);
//   if (!s.ok()) std::cerr << s.ToString() << "\n";

#ifndef LOCKHARNESS_PROTOCOL_STATUS_H_
#define LOCKHARNESS_PROTOCOL_STATUS_H_

#include <cerrno>
#include <string>
#include <utility>
#include <variant>

namespace lockharness::protocol {

enum class Code {
  kOk = 0,
  kRefused,          // a well-formed request the document refuses (unknown sandbox, rename)
  kInvalidArgument,  // a malformed request (bad name, bad KEY=VALUE)
  kLockTimeout,      // the lock was not acquired before the deadline
  kIoError,          // a system call failed
  kCorrupt,          // the registry file does not parse or violates the schema
  kLockLost,         // our lock was broken or replaced while we held it
};

const char* CodeName(Code code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  static Status Ok() { return Status(); }
  static Status Refused(std::string message);
  static Status InvalidArgument(std::string message);
  static Status LockTimeout(std::string path, std::string message);
  // A failed system call: `step` names the protocol step, `err` is errno.
  static Status IoError(std::string step, std::string path, int err, bool injected = false);
  static Status Corrupt(std::string path, std::string message);
  static Status LockLost(std::string path, std::string message);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  int err() const { return errno_; }  // 0 unless a system call failed
  bool injected() const { return injected_; }
  const std::string& step() const { return step_; }
  const std::string& path() const { return path_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kIoError && errno_ == ENOENT; }
  bool IsAlreadyExists() const { return code_ == Code::kIoError && errno_ == EEXIST; }

  // "io error: rename(a -> b): No space left on device [injected]"
  std::string ToString() const;

 private:
  Status(Code code, std::string step, std::string path, int err, std::string message, bool injected)
      : code_(code), errno_(err), injected_(injected), step_(std::move(step)), path_(std::move(path)),
        message_(std::move(message)) {}

  Code code_ = Code::kOk;
  int errno_ = 0;
  bool injected_ = false;
  std::string step_;
  std::string path_;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT; REQUIRES: !status.ok()
  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_STATUS_H_
