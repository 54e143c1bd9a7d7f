#!/usr/bin/python3
"""portalocker_lock.py: the registry guarded by portalocker.Lock (flock(2)
on a separate lock file), written through a temp file and os.replace.

  /usr/bin/python3 harness/adapters/python/portalocker_lock.py --file REGISTRY OP ARGS...
  /usr/bin/python3 harness/adapters/python/portalocker_lock.py --file REGISTRY worker

Debian package python3-portalocker (2.2).
Lock: `with portalocker.Lock(LOCK_FILE, timeout=wait, check_interval=0.01):`
opens LOCK_FILE (default REGISTRY.lock) in append mode and retries
flock(LOCK_EX|LOCK_NB) every 10 ms until `wait` (LOCKHARNESS_LOCK_WAIT_MS,
default 8 s; then exit 3). No stale threshold: the kernel drops the lock of
a dead holder. The lock file stays for good. portalocker's README locks the
data file itself; that cannot work with rename (waiters would lock the
replaced inode), hence the separate lock file.
Write: portalocker's own open_atomic() refuses to replace an existing file
(it asserts the target does not exist), so: NamedTemporaryFile in the
registry's directory (REGISTRY.tmp.<pid>.*), fsync, os.replace. No
directory fsync.
"""

import sys

import adapter_driver

try:
    import portalocker
except ImportError as missing:
    sys.exit(adapter_driver.not_runnable("portalocker_lock", missing))


def locked(registry, lock_file, timeout_s):  # pylint: disable=unused-argument
    return adapter_driver.HeldLock(
        portalocker.Lock(lock_file, mode="a", timeout=timeout_s, check_interval=0.01),
        portalocker.LockException)


def write(registry, data):
    adapter_driver.replace_via_temp(registry, data)


if __name__ == "__main__":
    sys.exit(adapter_driver.main("portalocker_lock", locked, write))
