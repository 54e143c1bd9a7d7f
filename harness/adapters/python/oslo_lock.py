#!/usr/bin/python3
"""oslo_lock.py: the registry guarded by oslo.concurrency's external lock
(Debian python3-oslo.concurrency 5.0), written through a temp file and
rename.

  /usr/bin/python3 harness/adapters/python/oslo_lock.py --file REGISTRY [--lock-file PATH] OP ARGS...
  /usr/bin/python3 harness/adapters/python/oslo_lock.py --file REGISTRY [--lock-file PATH] worker

Lock: `with lockutils.lock(NAME, external=True, lock_path=DIR,
blocking=False):` where LOCK_FILE = DIR/NAME (default REGISTRY.lock).
Inside: a process-local semaphore for NAME, then
fasteners.InterProcessLock(DIR/NAME).acquire(blocking=False):
fcntl.lockf(LOCK_EX | LOCK_NB) on the file opened for append; when it is
held, lock() raises AcquireLockFailedException. The default, blocking=True,
waits without any timeout (lock() takes none), so the adapter retries the
non-blocking form every 10 ms for up to LOCKHARNESS_LOCK_WAIT_MS (default
8 s; then exit 3), as every other adapter waits. The lock file is never
deleted; the kernel drops a dead holder's lock. Write: oslo has none; the
usual temp file REGISTRY.tmp.<pid>.*, fsync, os.replace. No directory
fsync.
"""

import contextlib
import os
import sys
import time

import adapter_driver

try:
    from oslo_concurrency import lockutils
except ImportError as missing:
    sys.exit(adapter_driver.not_runnable("oslo_lock", missing))


@contextlib.contextmanager
def locked(registry, lock_file, timeout_s):  # pylint: disable=unused-argument
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with lockutils.lock(os.path.basename(lock_file), external=True,
                                lock_path=os.path.dirname(lock_file), blocking=False):
                yield
                return
        except lockutils.AcquireLockFailedException as e:
            if time.monotonic() >= deadline:
                raise adapter_driver.LockTimeout(str(e)) from e
        time.sleep(0.01)


if __name__ == "__main__":
    sys.exit(adapter_driver.main("oslo_lock", locked, adapter_driver.replace_via_temp))
