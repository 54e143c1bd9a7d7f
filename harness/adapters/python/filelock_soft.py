#!/usr/bin/python3
"""filelock_soft.py: the registry guarded by filelock.SoftFileLock (an
O_EXCL lock file), written by atomicwrites.

  /usr/bin/python3 harness/adapters/python/filelock_soft.py --file REGISTRY OP ARGS...
  /usr/bin/python3 harness/adapters/python/filelock_soft.py --file REGISTRY worker

Debian packages python3-filelock (3.9) and python3-atomicwrites (1.4).
Lock: `with SoftFileLock(LOCK_FILE, timeout=wait):` creates LOCK_FILE
(default REGISTRY.lock) with O_CREAT|O_EXCL, polling every 10 ms until
`wait` (LOCKHARNESS_LOCK_WAIT_MS, default 8 s; then exit 3); release
deletes it. There is no owner record and no stale detection in this
version: the lock file of a holder that died stays until someone deletes
it by hand, and every later writer times out.
Write: atomic_write(REGISTRY, overwrite=True): temp REGISTRY.tmp.<pid>.*
in the same directory, fsync, rename, fsync of the directory.
"""

import sys

import adapter_driver

try:
    from atomicwrites import atomic_write
    from filelock import SoftFileLock, Timeout
except ImportError as missing:
    sys.exit(adapter_driver.not_runnable("filelock_soft", missing))


def locked(registry, lock_file, timeout_s):  # pylint: disable=unused-argument
    return adapter_driver.HeldLock(SoftFileLock(lock_file, timeout=timeout_s), Timeout,
                                   poll_interval=0.01)


def write(registry, data):
    prefix = adapter_driver.pid_temp_prefix(registry)
    with atomic_write(registry, mode="wb", overwrite=True, prefix=prefix) as f:
        f.write(data)


if __name__ == "__main__":
    sys.exit(adapter_driver.main("filelock_soft", locked, write))
