// worker.h: lockreg's worker mode (docs/adapter-contract.md).
//
// Reads one JSON request per line from `in`, e.g.
//   {"id":7,"op":"update","name":"w3-17","fields":{"model":"w3-op7"}}
// and answers one JSON line per request on `out`:
//   {"id":7,"ok":true,"lock_acquired_ns":...,"lock_released_ns":...}
//   {"id":8,"ok":false,"error":"unknown sandbox 'x'"}     (nothing changed:
//        refused, bad request, lock timeout, corrupt registry)
//   {"id":9,"ok":false,"unknown":true,"error":"..."}       (outcome unknown:
//        an I/O error or a lost lock, possibly after the rename)
// until end of input. Returns the process exit code.

#ifndef LOCKHARNESS_LOCKREG_WORKER_H_
#define LOCKHARNESS_LOCKREG_WORKER_H_

#include <istream>
#include <ostream>

#include "lockharness/protocol/registry_store.h"

namespace lockharness::lockreg {

int RunWorker(protocol::RegistryStore& store, std::istream& in, std::ostream& out);

}  // namespace lockharness::lockreg

#endif  // LOCKHARNESS_LOCKREG_WORKER_H_
