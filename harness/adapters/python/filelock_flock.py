#!/usr/bin/python3
"""filelock_flock.py: the registry guarded by filelock.FileLock (flock(2)),
written by atomicwrites, as their documentation shows a user doing it.

  /usr/bin/python3 harness/adapters/python/filelock_flock.py --file REGISTRY OP ARGS...
  /usr/bin/python3 harness/adapters/python/filelock_flock.py --file REGISTRY worker

Debian packages python3-filelock (3.9) and python3-atomicwrites (1.4).
Lock: `with FileLock(LOCK_FILE, timeout=wait):` opens LOCK_FILE (default
REGISTRY.lock, see --lock-file) and takes flock(LOCK_EX), polling every
10 ms until `wait` (LOCKHARNESS_LOCK_WAIT_MS, default 8 s; then exit 3).
The kernel drops the lock when its holder dies, so there is no stale
threshold. The lock file is never deleted (deleting a flock file races
with waiters): it stays beside the registry for good.
Write: atomic_write(REGISTRY, overwrite=True): mkstemp in the registry's
directory (named REGISTRY.tmp.<pid>.<random> here, so a killed writer's
temp file names its pid), fsync, rename, fsync of the directory.
"""

import sys

import adapter_driver

try:
    from atomicwrites import atomic_write
    from filelock import FileLock, Timeout
except ImportError as missing:
    sys.exit(adapter_driver.not_runnable("filelock_flock", missing))


def locked(registry, lock_file, timeout_s):  # pylint: disable=unused-argument
    return adapter_driver.HeldLock(FileLock(lock_file, timeout=timeout_s), Timeout,
                                   poll_interval=0.01)


def write(registry, data):
    prefix = adapter_driver.pid_temp_prefix(registry)
    with atomic_write(registry, mode="wb", overwrite=True, prefix=prefix) as f:
        f.write(data)


if __name__ == "__main__":
    sys.exit(adapter_driver.main("filelock_flock", locked, write))
