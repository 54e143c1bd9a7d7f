// seed-recipe.js: the locking recipe of the NemoClaw registry-locking pull
// request #1033, as a user of that recipe has it (not the fixes its
// reviewers asked for), so the harness can judge the recipe itself.
//
//   node harness/adapters/node/seed-recipe.js --file REGISTRY OP ARGS...
//   node harness/adapters/node/seed-recipe.js --file REGISTRY worker
//
// The recipe, all synchronous (Atomics.wait as the sleep):
//   lock     mkdirSync(REGISTRY.lock), then writeFileSync(REGISTRY.lock/owner,
//            pid): written in place, not through a temp file.
//   waiting  on EEXIST: if the owner file holds a pid and kill(pid, 0)
//            says it is dead, remove the lock directory (rmSync recursive)
//            and retry at once; if there is no valid owner pid, fall back to
//            age: a lock directory whose mtime is older than 10 s
//            (LOCKHARNESS_STALE_MS if set) is removed. Otherwise sleep
//            100 ms; give up after 50 attempts (about 5 s; exit 3).
//            Nothing re-checks the owner between the look and the removal.
//   write    writeFileSync(REGISTRY.tmp.<pid>) then renameSync over the
//            registry; the temp file is removed if either fails. No fsync
//            of the file or the directory.
//   unlock   unlink the owner file and rmdir the lock, ignoring errors.
//   load     as the registry module of the time: a missing or unparsable
//            file reads as the empty registry (so a torn read is lost data,
//            not an error).
// The registry operations (register, update refusing renames, remove moving
// the default, set-default) are the driver's, which match the module's.
'use strict';

const fs = require('fs');
const path = require('path');
const driver = require('./lib/driver');

const LOCK_STALE_MS = driver.staleMs(10000);
const LOCK_RETRY_MS = 100;
const LOCK_MAX_RETRIES = 50;
const sleepCell = new Int32Array(new SharedArrayBuffer(4));

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

// One look at a held lock: removes it if its owner is dead, or if it has no
// owner and is older than the threshold. Returns true if it removed it.
function reapIfStale(lockDir) {
  let ownerPid = NaN;
  try {
    ownerPid = parseInt(fs.readFileSync(path.join(lockDir, 'owner'), 'utf-8').trim(), 10);
  } catch { /* no owner file: fall back to age */ }
  try {
    if (Number.isFinite(ownerPid) && ownerPid > 0) {
      if (isAlive(ownerPid)) return false;
    } else if (Date.now() - fs.statSync(lockDir).mtimeMs <= LOCK_STALE_MS) {
      return false;
    }
    fs.rmSync(lockDir, { recursive: true, force: true });
    return true;
  } catch {
    return false;  // released meanwhile
  }
}

function acquireLock(file) {
  const lockDir = `${file}.lock`;
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  for (let i = 0; i < LOCK_MAX_RETRIES; i++) {
    try {
      fs.mkdirSync(lockDir);
      fs.writeFileSync(path.join(lockDir, 'owner'), String(process.pid), { mode: 0o600 });
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    if (reapIfStale(lockDir)) continue;
    Atomics.wait(sleepCell, 0, 0, LOCK_RETRY_MS);
  }
  throw new driver.LockTimeout(`Failed to acquire lock on ${file} after ${LOCK_MAX_RETRIES} retries`);
}

function releaseLock(file) {
  const lockDir = `${file}.lock`;
  try { fs.unlinkSync(path.join(lockDir, 'owner')); } catch { /* ignored */ }
  try { fs.rmdirSync(lockDir); } catch { /* ignored */ }
}

function withLock(file, fn) {
  acquireLock(file);
  try {
    return fn();
  } finally {
    releaseLock(file);
  }
}

function save(file, text) {
  const tmp = `${file}.tmp.${process.pid}`;
  try {
    fs.writeFileSync(tmp, text, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (e) {
    try { fs.unlinkSync(tmp); } catch { /* best effort */ }
    throw e;
  }
}

function load(file) {
  try {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf-8'));
  } catch { /* unreadable: start over */ }
  return driver.emptyRegistry();
}

driver.run({ name: 'seed-recipe', withLock, save, load });
