#!/usr/bin/python3
"""oslo_lock.py: the registry guarded by oslo.concurrency's external lock
(Debian python3-oslo.concurrency 5.0), written through a temp file and
rename.

  /usr/bin/python3 harness/adapters/python/oslo_lock.py --file REGISTRY [--lock-file PATH] OP ARGS...
  /usr/bin/python3 harness/adapters/python/oslo_lock.py --file REGISTRY [--lock-file PATH] worker

Lock: `with lockutils.lock(NAME, external=True, lock_path=DIR):` where
LOCK_FILE = DIR/NAME (default REGISTRY.lock). Inside: a process-local
semaphore for NAME, then fasteners.InterProcessLock(DIR/NAME).acquire(
delay=0.01, blocking=True): fcntl.lockf on the file opened for append,
retried with a growing delay, with no timeout (oslo's lock() takes none;
a lock never granted is the harness's op timeout). The lock file is never
deleted; the kernel drops a dead holder's lock. Write: oslo has none; the
usual temp file REGISTRY.tmp.<pid>.*, fsync, os.replace. No directory
fsync.
"""

import os
import sys

import adapter_driver

try:
    from oslo_concurrency import lockutils
except ImportError as missing:
    sys.exit(adapter_driver.not_runnable("oslo_lock", missing))


def locked(registry, lock_file, timeout_s):  # pylint: disable=unused-argument
    return lockutils.lock(os.path.basename(lock_file), external=True,
                          lock_path=os.path.dirname(lock_file))


if __name__ == "__main__":
    sys.exit(adapter_driver.main("oslo_lock", locked, adapter_driver.replace_via_temp))
