// bench_flags.h: the benchmarks' own command-line flags, taken out of argv
// before Google Benchmark parses the rest.
//
//   std::string dir = TakeFlag(&argc, argv, "tmpfs_dir", "/dev/shm");
//   benchmark::Initialize(&argc, argv);   // never sees --tmpfs_dir
//
// Flags have the form --name=value. The last occurrence wins.

#ifndef LOCKHARNESS_BENCH_BENCH_FLAGS_H_
#define LOCKHARNESS_BENCH_BENCH_FLAGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace lockharness::bench {

// Returns the value of --`name`=VALUE and removes every such argument from
// argv (shifting the rest down and updating *argc), or returns
// `default_value` if there is none. argv[*argc] stays nullptr.
std::string TakeFlag(int* argc, char** argv, std::string_view name, std::string default_value);

// Splits "1,2,4" into integers. Empty entries are skipped; returns false
// (and leaves *out unspecified) if an entry is not a positive integer.
bool ParsePositiveIntList(std::string_view text, std::vector<int>* out);

// Splits "a,b" into words; empty entries are skipped.
std::vector<std::string> SplitCommaList(std::string_view text);

}  // namespace lockharness::bench

#endif  // LOCKHARNESS_BENCH_BENCH_FLAGS_H_
