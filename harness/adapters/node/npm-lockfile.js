// npm-lockfile.js: the registry guarded by the npm `lockfile` package
// (1.0.4), written through a temp file and rename, as a user of it would.
//
//   node harness/adapters/node/npm-lockfile.js --file REGISTRY OP ARGS...
//   node harness/adapters/node/npm-lockfile.js --file REGISTRY worker
//
// Lock: lockFile.lock(REGISTRY.lock, { wait, pollPeriod, stale }) creates
// the lock file with O_CREAT|O_EXCL; while it exists, it polls every
// pollPeriod (10 ms) for up to `wait` (LOCKHARNESS_LOCK_WAIT_MS, default
// 8000, then exit 3). A lock file whose ctime is older than `stale` is
// unlinked and retaken: LOCKHARNESS_STALE_MS if set, else 10000 (the
// library has no default; without `stale` a dead holder's lock is never
// broken). The holder never refreshes the file, so a holder slower than
// `stale` loses its lock. unlock() unlinks the file.
// Write: REGISTRY.tmp.<pid>.<random>, written, fsynced, renameSync over the
// registry. No directory fsync.
'use strict';

const crypto = require('crypto');
const fs = require('fs');
const driver = require('./lib/driver');

const lockFile = driver.requireLibrary('npm-lockfile', 'lockfile');

const STALE_MS = driver.staleMs(10000);

function lock(path, options) {
  return new Promise((resolve, reject) => {
    lockFile.lock(path, options, (e) => (e ? reject(e) : resolve()));
  });
}

function unlock(path) {
  return new Promise((resolve, reject) => {
    lockFile.unlock(path, (e) => (e ? reject(e) : resolve()));
  });
}

async function withLock(file, critical) {
  const lockPath = `${file}.lock`;
  try {
    await lock(lockPath, { wait: driver.lockWaitMs(), pollPeriod: 10, stale: STALE_MS });
  } catch (e) {
    if (e.code === 'EEXIST') throw new driver.LockTimeout(`${lockPath} held`);
    throw e;
  }
  try {
    return await critical();
  } finally {
    await unlock(lockPath);
  }
}

function save(file, text) {
  const tmp = `${file}.tmp.${process.pid}.${crypto.randomBytes(4).toString('hex')}`;
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* already gone */ }
    throw e;
  }
}

driver.run({ name: 'npm-lockfile', withLock, save });
