// Unit tests of the start-up scan of inherited descriptors
// (inherited_fds.h): descriptors open in the test process stand for the
// ones a program image starts with.

#include "inherited_fds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "lockharness/interposer/trace_reader.h"

namespace lockharness::interposer {
namespace {

std::vector<std::string>* g_lines = nullptr;

void CollectLine(const char* line, size_t len) {
  g_lines->emplace_back(line, len);
}

class InheritedFdsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/lh-inherited-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    registry_ = dir_ + "/sandboxes.json";
    ASSERT_TRUE(paths_.Init(registry_.c_str()));
    char other[] = "/tmp/lh-inherited-other-XXXXXX";
    other_fd_ = mkstemp(other);
    ASSERT_GE(other_fd_, 0);
    other_ = other;
    lock_fd_ = open((registry_ + ".lock").c_str(),
                    O_WRONLY | O_CREAT | O_APPEND, 0644);
    ASSERT_GE(lock_fd_, 0);
    ASSERT_EQ(pipe(pipe_), 0);
    g_lines = &lines_;
  }
  void TearDown() override {
    g_lines = nullptr;
    close(lock_fd_);
    close(other_fd_);
    close(pipe_[0]);
    close(pipe_[1]);
    unlink((registry_ + ".lock").c_str());
    unlink(other_.c_str());
    rmdir(dir_.c_str());
  }

  // Large (one entry per descriptor number): not on the stack.
  std::unique_ptr<FdTable> table_ = std::make_unique<FdTable>();
  RegistryPaths paths_;
  std::string dir_, registry_, other_;
  int lock_fd_ = -1, other_fd_ = -1;
  int pipe_[2] = {-1, -1};
  std::vector<std::string> lines_;
};

TEST_F(InheritedFdsTest, ClassifiesOnlyDescriptorsOfProtocolPaths) {
  EXPECT_EQ(RecordInheritedFds(paths_, table_.get(), -1, CollectLine, getpid()),
            1);
  EXPECT_EQ(table_->Lookup(lock_fd_), PathClass::kLock);
  char path[FdTable::kPathSize];
  ASSERT_TRUE(table_->CopyPath(lock_fd_, path));
  EXPECT_EQ(std::string(path), registry_ + ".lock");
  EXPECT_EQ(table_->Lookup(other_fd_), PathClass::kOther);
  EXPECT_EQ(table_->Lookup(pipe_[0]), PathClass::kOther);
  EXPECT_EQ(table_->Lookup(pipe_[1]), PathClass::kOther);

  ASSERT_EQ(lines_.size(), 1u);
  std::string error;
  std::optional<TraceEvent> e =
      ParseTraceLine(lines_[0].substr(0, lines_[0].size() - 1), &error);
  ASSERT_TRUE(e) << error << ": " << lines_[0];
  EXPECT_EQ(e->type, TraceEvent::Type::kInherited);
  EXPECT_EQ(e->pid, getpid());
  EXPECT_EQ(e->fd, lock_fd_);
  EXPECT_EQ(e->path_class, "lock");
  EXPECT_EQ(e->path, registry_ + ".lock");
  EXPECT_GT(e->mono_ns, 0);
}

TEST_F(InheritedFdsTest, SkipsTheGivenDescriptorAndDeletedFiles) {
  EXPECT_EQ(
      RecordInheritedFds(paths_, table_.get(), lock_fd_, nullptr, getpid()), 0);
  EXPECT_EQ(table_->Lookup(lock_fd_), PathClass::kOther);
  // A registry descriptor whose file was deleted names no protocol path.
  int registry_fd = open(registry_.c_str(), O_WRONLY | O_CREAT, 0644);
  ASSERT_GE(registry_fd, 0);
  ASSERT_EQ(unlink(registry_.c_str()), 0);
  EXPECT_EQ(
      RecordInheritedFds(paths_, table_.get(), lock_fd_, CollectLine, getpid()),
      0);
  EXPECT_EQ(table_->Lookup(registry_fd), PathClass::kOther);
  EXPECT_TRUE(lines_.empty());
  close(registry_fd);
}

TEST_F(InheritedFdsTest, KeepsErrno) {
  errno = ENOSPC;
  RecordInheritedFds(paths_, table_.get(), -1, nullptr, getpid());
  EXPECT_EQ(errno, ENOSPC);
}

}  // namespace
}  // namespace lockharness::interposer
