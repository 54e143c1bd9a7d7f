// mutant.h: deliberately broken variants of the protocol, for testing the
// harness. A harness that cannot catch these is not worth running.
//
// Each mutant reproduces one known bug class (see docs/protocol.md). They are
// selected with `lockreg --mutant NAME` and are never on by default.

#ifndef LOCKHARNESS_PROTOCOL_MUTANT_H_
#define LOCKHARNESS_PROTOCOL_MUTANT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockharness::protocol {

enum class Mutant {
  kNone,
  kNoLock,       // read-modify-write without taking the lock: lost updates
  kDirectWrite,  // writes the registry in place, no temp+rename: torn reads
  kSharedTmp,    // one temp name "<file>.tmp" for every process
};

std::string_view MutantName(Mutant m);
std::optional<Mutant> ParseMutant(std::string_view name);
// Names of every mutant other than kNone.
std::vector<std::string> AllMutantNames();

}  // namespace lockharness::protocol

#endif  // LOCKHARNESS_PROTOCOL_MUTANT_H_
