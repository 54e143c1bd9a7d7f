#!/usr/bin/python3
"""fasteners_lock.py: the registry guarded by fasteners.InterProcessLock
(Debian python3-fasteners 0.17), written through a temp file and rename.

  /usr/bin/python3 harness/adapters/python/fasteners_lock.py --file REGISTRY [--lock-file PATH] OP ARGS...
  /usr/bin/python3 harness/adapters/python/fasteners_lock.py --file REGISTRY [--lock-file PATH] worker

Lock: InterProcessLock(LOCK_FILE).acquire(timeout=wait) opens LOCK_FILE
(default REGISTRY.lock) in append mode and takes fcntl.lockf(LOCK_EX |
LOCK_NB) (a POSIX record lock), retrying with a delay growing from 10 ms
to 100 ms until `wait` (LOCKHARNESS_LOCK_WAIT_MS, default 8 s; then exit
3); release() unlocks and closes. The lock file is never deleted. The
kernel drops a dead holder's lock: no stale threshold. POSIX locks belong
to the process, so two InterProcessLocks in one process do not exclude
each other (not exercised here: one lock per process).
Write: fasteners has none; the usual temp file REGISTRY.tmp.<pid>.*,
fsync, os.replace. No directory fsync.
"""

import sys

import adapter_driver

try:
    import fasteners
except ImportError as missing:
    sys.exit(adapter_driver.not_runnable("fasteners_lock", missing))


class _Held:
    """acquire(timeout=...) returns False on timeout rather than raising."""

    def __init__(self, lock_file, timeout_s):
        self._lock = fasteners.InterProcessLock(lock_file)
        self._timeout_s = timeout_s

    def __enter__(self):
        if not self._lock.acquire(timeout=self._timeout_s):
            raise adapter_driver.LockTimeout("%s held" % self._lock.path)
        return self

    def __exit__(self, *exc):
        self._lock.release()


def locked(registry, lock_file, timeout_s):  # pylint: disable=unused-argument
    return _Held(lock_file, timeout_s)


if __name__ == "__main__":
    sys.exit(adapter_driver.main("fasteners_lock", locked, adapter_driver.replace_via_temp))
