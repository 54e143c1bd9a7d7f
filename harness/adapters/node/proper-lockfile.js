// proper-lockfile.js: the registry guarded by proper-lockfile 4.x, written
// by write-file-atomic 7.x, as their READMEs show a user doing it.
//
//   node harness/adapters/node/proper-lockfile.js --file REGISTRY OP ARGS...
//   node harness/adapters/node/proper-lockfile.js --file REGISTRY worker
//
// Lock: lockfile.lock(REGISTRY, { realpath: false, stale, retries }) makes
// the directory REGISTRY.lock (mkdir), refreshes its mtime every stale/2
// while held, and treats a lock whose mtime is older than `stale` as
// abandoned and removes it. `stale` is LOCKHARNESS_STALE_MS if set, else the
// library's default 10000; the library raises anything below 2000 to 2000.
// realpath: false because the registry does not exist before the first
// write. Waiting: retries with backoff 5..100 ms, for at most
// LOCKHARNESS_LOCK_WAIT_MS (default 8000), then exit 3.
// Write: writeFileAtomic(REGISTRY, text): temp file REGISTRY.<hash>, fsync,
// rename. It does not fsync the directory.
'use strict';

const driver = require('./lib/driver');

const lockfile = driver.requireLibrary('proper-lockfile', 'proper-lockfile');
const writeFileAtomic = driver.requireLibrary('proper-lockfile', 'write-file-atomic');

const STALE_MS = driver.staleMs(10000);

async function withLock(file, critical) {
  let release;
  try {
    release = await lockfile.lock(file, {
      realpath: false,
      stale: STALE_MS,
      retries: {
        forever: true, maxRetryTime: driver.lockWaitMs(),
        minTimeout: 5, maxTimeout: 100, factor: 1.5, randomize: true,
      },
    });
  } catch (e) {
    if (e.code === 'ELOCKED') throw new driver.LockTimeout(e.message);
    throw e;
  }
  try {
    return await critical();
  } finally {
    await release();
  }
}

driver.run({
  name: 'proper-lockfile',
  withLock,
  save: (file, text) => writeFileAtomic(file, text),
});
