// scratch_dir.h: a fresh, uniquely named directory that is removed with
// everything in it when the object goes away.
//
//   ScratchDir dir("/dev/shm");           // or ScratchDir() for $TMPDIR or /tmp
//   if (dir.path().empty()) fail("cannot create a directory in /dev/shm");
//   std::string file = dir.path() + "/registry.json";
//
// The benchmarks measure on a chosen file system by choosing the base.

#ifndef LOCKHARNESS_BENCH_SCRATCH_DIR_H_
#define LOCKHARNESS_BENCH_SCRATCH_DIR_H_

#include <string>

namespace lockharness::bench {

class ScratchDir {
 public:
  // Creates "<base>/lhbench-XXXXXX". On failure path() is empty.
  explicit ScratchDir(const std::string& base);
  // Under $TMPDIR, or /tmp if it is unset.
  ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir();

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace lockharness::bench

#endif  // LOCKHARNESS_BENCH_SCRATCH_DIR_H_
