// The harness never harms the machine it runs on (docs/checkers.md,
// "Safety of the run directory"): an implementation's symlinks get no
// write, delete or chmod outside the run directory from the harness; a full
// file system ends a run `unknown` with a clear reason; as root, the run
// directory is left deletable by the user who owns it.

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lockharness/harness/runner/process.h"

namespace {

namespace fs = std::filesystem;
using lockharness::harness::runner::Child;
using lockharness::harness::runner::ExitStatus;
using lockharness::harness::runner::SpawnOptions;
using ::testing::AnyOf;
using ::testing::HasSubstr;

const std::string kLockreg = LOCKREG_BIN;

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

struct Result {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Everything about a tree that a write, delete, chmod, chown or utime
// would change, per entry (symlinks not followed).
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    struct stat st;
    if (::lstat(entry.path().c_str(), &st) != 0) continue;
    std::string state = std::to_string(st.st_mode) + " " + std::to_string(st.st_uid) + ":" +
                        std::to_string(st.st_gid) + " size " + std::to_string(st.st_size) +
                        " mtime " + std::to_string(st.st_mtim.tv_sec) + "." +
                        std::to_string(st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) state += " " + Slurp(entry.path());
    entries[fs::relative(entry.path(), root).string()] = state;
  }
  return entries;
}

class SafetyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir_template[] = "/tmp/lockharness-safety-XXXXXX";
    ASSERT_NE(::mkdtemp(dir_template), nullptr);
    scratch_ = dir_template;
  }
  void TearDown() override {
    if (mounted_) ::umount2(mounted_->c_str(), MNT_DETACH);
    if (!HasFailure()) fs::remove_all(scratch_);
  }

  Result Harness(const std::vector<std::string>& args) {
    SpawnOptions options;
    options.argv = {LOCKHARNESS_BIN};
    options.argv.insert(options.argv.end(), args.begin(), args.end());
    options.cwd = scratch_;
    options.pipe_stdout = true;
    options.stderr_path = scratch_ / ("stderr-" + std::to_string(++runs_));
    std::string error;
    std::optional<Child> child = Child::Spawn(options, &error);
    EXPECT_TRUE(child) << error;
    Result result;
    if (!child) return result;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(240);
    child->ReadAllStdout(deadline, &result.output);
    const ExitStatus status = child->Wait(deadline);
    if (status.kind == ExitStatus::Kind::kExited) result.exit_code = status.code;
    result.output += Slurp(options.stderr_path);
    return result;
  }

  fs::path Script(const std::string& name, const std::string& body) {
    const fs::path path = scratch_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }

  // Mounts a tmpfs of `size` (e.g. "2m") at scratch_/name; false if not root.
  bool MountTmpfs(const std::string& name, const std::string& size) {
    const fs::path at = scratch_ / name;
    fs::create_directories(at);
    if (::mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) return false;
    mounted_ = at;
    return true;
  }

  fs::path scratch_;
  std::optional<fs::path> mounted_;
  int runs_ = 0;
};

// A per-op "implementation" that plants, on every call, symlinks pointing
// outside the run directory: a temp file, the lock directory itself (or a
// real lock directory naming this process as owner, full of links out),
// the registry, and the files the harness writes when judging. The
// nemeses steal and backdate the lock and kill its holder; the leftovers
// checker looks at what is left; the harness writes its report.
TEST_F(SafetyTest, PlantedSymlinksGetNoWriteDeleteOrChmodOutsideTheRunDirectory) {
  const fs::path outside = scratch_ / "outside";
  fs::create_directories(outside / "victim-dir" / "inner");
  std::ofstream(outside / "victim-file") << "precious";
  std::ofstream(outside / "victim-dir" / "inner" / "file") << "also precious";
  std::ofstream(outside / "victim-dir" / "owner") << "1\n";
  fs::permissions(outside / "victim-file", fs::perms::owner_read | fs::perms::owner_write);
  const std::string out = outside.string();
  const fs::path script =
      Script("planter.sh",
             "reg=\"$LOCKHARNESS_REGISTRY\"; d=$(dirname \"$reg\"); run=\"$LOCKHARNESS_RUN_DIR\"\n"
             "for f in results.json report.txt junit.xml timeline.html; do\n"
             "  ln -sfn " +
                 out +
                 "/victim-file \"$run/$f\"\n"
                 "done\n"
                 "ln -sfn " +
                 out +
                 "/victim-file \"$d/sandboxes.json.tmp.$$\"\n"
                 "ln -sfn " +
                 out +
                 "/victim-dir \"$d/stolen-lock-1\"\n"
                 "rm -rf \"$d/sandboxes.json.lock\"\n"
                 "if [ $(( $$ % 2 )) = 0 ]; then\n"
                 "  ln -sfn " +
                 out +
                 "/victim-dir \"$d/sandboxes.json.lock\"\n"
                 "else\n"
                 // Built under a private name, then renamed into place: written in
                 // place, another writer's link could send these writes outside, and
                 // the test is about what the harness does.
                 "  p=\"$d/.plant.$$\"; mkdir \"$p\" && echo $$ > \"$p/owner\" &&\n"
                 "  ln -s " +
                 out +
                 "/victim-dir \"$p/evil-dir\" &&\n"
                 "  ln -s " +
                 out +
                 "/victim-file \"$p/evil-file\" &&\n"
                 "  { mv -T \"$p\" \"$d/sandboxes.json.lock\" 2>/dev/null || rm -rf \"$p\"; }\n"
                 "fi\n"
                 "case \"$1\" in get|list) echo '{}';; *) sleep 0.02;; esac\n"
                 "[ $(( $$ % 3 )) = 0 ] && ln -sfn " +
                 out +
                 "/victim-file \"$reg\"\n"
                 "exit 0\n");
  const auto before = Snapshot(outside);
  const Result r =
      Harness({"run", "--impl", script.string(), "--writers", "3", "--ops", "12", "--readers", "1",
               "--out", (scratch_ / "run").string(), "--setup", "dead-owner-lock", "--nemesis",
               "steal-lock:start_ms=10,interval_ms=20,count=20", "--nemesis",
               "backdate-lock:start_ms=10,interval_ms=30,count=20,shift_ms=-60000", "--nemesis",
               "kill-holder:start_ms=30,interval_ms=60,count=3"});
  // Whatever the verdict (this is no correct implementation), the harness
  // finished, and nothing outside the run directory changed.
  EXPECT_THAT(r.exit_code, AnyOf(0, 1, 2)) << r.output;
  EXPECT_EQ(Snapshot(outside), before) << r.output;
  EXPECT_EQ(Slurp(outside / "victim-file"), "precious");
  // The harness replaced the links to its report files with its own files.
  for (const char* name : {"results.json", "report.txt", "timeline.html"}) {
    EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(scratch_ / "run" / name))) << name << "\n"
                                                                                  << r.output;
  }
}

TEST_F(SafetyTest, FullFileSystemMakesTheRunUnknownWithAReason) {
  if (::geteuid() != 0 || !MountTmpfs("small", "4m")) {
    GTEST_SKIP() << "needs root to mount a tmpfs (mount -t tmpfs -o size=4m)";
  }
  const fs::path small = *mounted_;
  // Leave a little room: the run starts, then its trace fills the disk.
  {
    std::ofstream filler(small / "filler", std::ios::binary);
    const std::string chunk(4096, 'x');
    const auto cap = fs::space(small).available;
    for (uintmax_t written = 0; written + 160 * 1024 < cap; written += chunk.size()) {
      filler << chunk;
    }
  }
  const Result traced =
      Harness({"run", "--impl", kLockreg + " --file {registry}", "--mode", "worker", "--writers",
               "2", "--ops", "40", "--trace", "--out", (small / "traced").string()});
  EXPECT_EQ(traced.exit_code, 2) << traced.output;
  EXPECT_THAT(traced.output, HasSubstr("No space left on device")) << traced.output;

  // Results and timeline: judge a complete run again on a full disk.
  fs::remove(small / "filler");
  fs::remove_all(small / "traced");
  const fs::path dir = small / "judged";
  const Result first = Harness({"run", "--impl", kLockreg + " --file {registry}", "--writers", "2",
                                "--ops", "5", "--out", dir.string()});
  ASSERT_THAT(first.exit_code, AnyOf(0, 2)) << first.output;
  for (const char* name : {"results.json", "report.txt", "junit.xml", "timeline.html"}) {
    fs::remove(dir / name);
  }
  {
    std::ofstream filler(small / "filler", std::ios::binary);
    const std::string chunk(4096, 'x');
    while (filler << chunk && fs::space(small).available > 0) {
    }
  }
  const Result judged = Harness({"check", dir.string()});
  EXPECT_EQ(judged.exit_code, 2) << judged.output;
  EXPECT_THAT(judged.output, HasSubstr("No space left on device")) << judged.output;
  EXPECT_THAT(judged.output, HasSubstr("cannot write " + (dir / "results.json").string()))
      << judged.output;
}

TEST_F(SafetyTest, RunAsRootLeavesTheUsersDirectoryDeletableByTheUser) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  constexpr uid_t kUser = 54321;
  constexpr gid_t kGroup = 54321;
  const fs::path home = scratch_ / "home";
  fs::create_directories(home);
  ASSERT_EQ(::chown(home.c_str(), kUser, kGroup), 0);
  const fs::path dir = home / "runs" / "mine";  // created by the harness, as root
  const Result r = Harness({"run", "--impl", kLockreg + " --file {registry}", "--writers", "2",
                            "--ops", "5", "--setup", "stale-temp-files", "--out", dir.string()});
  ASSERT_THAT(r.exit_code, AnyOf(0, 2)) << r.output;
  ASSERT_TRUE(fs::exists(dir / "results.json")) << r.output;
  int checked = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    struct stat st;
    ASSERT_EQ(::lstat(entry.path().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, kUser) << entry.path();
    ++checked;
  }
  EXPECT_GT(checked, 4);
  struct stat st;
  ASSERT_EQ(::lstat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUser);
}

}  // namespace
