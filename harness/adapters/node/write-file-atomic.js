// write-file-atomic.js: the registry written with write-file-atomic 7
// alone, the way most of its callers use it: no lock.
//
//   node harness/adapters/node/write-file-atomic.js --file REGISTRY OP ARGS...
//   node harness/adapters/node/write-file-atomic.js --file REGISTRY worker
//
// Read: readFileSync + JSON.parse (strict: a file that does not parse is
// refused, exit 5). Write: writeFileAtomic(REGISTRY, text): temp
// REGISTRY.<murmurhash of path, pid, thread, counter>, open 'w', write,
// fsync, close, rename over the registry. Writes to one path from one
// process are queued; across processes nothing is. No directory fsync.
'use strict';

const driver = require('./lib/driver');

const writeFileAtomic = driver.requireLibrary('write-file-atomic', 'write-file-atomic');

driver.run({
  name: 'write-file-atomic',
  withLock: driver.noLock,
  save: (file, text) => writeFileAtomic(file, text),
});
