"""adapter_driver.py: what every Python library adapter shares.

An adapter file defines how its library locks and writes, and calls
  adapter_driver.main(name, locked, write)
with
  locked(registry_path, lock_path, timeout_s)  a context manager holding the
      lock; raises adapter_driver.LockTimeout when not acquired in time;
  write(registry_path, data: bytes)  writes the registry the library's way;
and optionally load=load(registry_path) -> dict, the library's own reader
(checked with as_registry). A library without a lock passes NO_LOCK as
`locked`: the adapter adds none, and reports no lock span.
The registry document rules (register, update, remove, set-default, get,
list), the worker loop and the exit codes are those of the example
registry_adapter.py (imported from beside this file), so every adapter
writes the schema the harness checks. Only the lock and the write differ.

Command line (one process per operation, or `worker` for JSON lines):
  ADAPTER --file PATH [--lock-file PATH | --lock-file=PATH] OP ARGS...
  ADAPTER --file PATH [--lock-file ...] worker
--lock-file defaults to PATH.lock; a relative one is taken relative to the
current directory (the run directory under the harness). The lock wait is
LOCKHARNESS_LOCK_WAIT_MS (default 8000, below the harness's 10 s op
timeout). Exit codes: 0 done, 1 refused, 2 usage, 3 lock not acquired,
4 I/O error (outcome unknown), 5 corrupt registry, 127 not runnable (a
library is missing: Python's own exit 1 would read as "refused").
"""

import contextlib
import json
import os
import sys
import tempfile
import time

import registry_adapter as ra

LockTimeout = ra.LockTimeout


EXIT_NOT_RUNNABLE = 127


def NO_LOCK(registry, lock_file, timeout_s):  # pylint: disable=invalid-name,unused-argument
    """`locked` for a library that has no lock."""
    return contextlib.nullcontext()


def as_registry(doc, path):
    """A library's parsed document as a registry (None: the empty one);
    anything else is a corrupt registry (exit 5)."""
    if doc is None:
        doc = {}
    if not isinstance(doc, dict) or not isinstance(doc.get("sandboxes", {}), dict):
        raise ra.CorruptRegistry("%s: not a registry document" % path)
    doc.setdefault("sandboxes", {})
    doc.setdefault("defaultSandbox", None)
    return doc


def replace_via_temp(registry, data):
    """The usual hand-written write for a library that only locks:
    NamedTemporaryFile REGISTRY.tmp.<pid>.* beside the registry, fsync,
    os.replace. No directory fsync."""
    prefix = pid_temp_prefix(registry)
    with tempfile.NamedTemporaryFile(dir=os.path.dirname(registry), prefix=prefix,
                                     delete=False) as f:
        try:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        except BaseException:
            os.unlink(f.name)
            raise
    try:
        os.replace(f.name, registry)
    except BaseException:
        os.unlink(f.name)
        raise


class HeldLock:
    """Context manager over a library lock object with acquire()/release():
    `timeout_error` from acquire() becomes LockTimeout."""

    def __init__(self, lock, timeout_error, **acquire_kwargs):
        self._lock = lock
        self._timeout_error = timeout_error
        self._acquire_kwargs = acquire_kwargs

    def __enter__(self):
        try:
            self._lock.acquire(**self._acquire_kwargs)
        except self._timeout_error as e:
            raise LockTimeout(str(e)) from e
        return self

    def __exit__(self, *exc):
        self._lock.release()


def pid_temp_prefix(registry):
    """Temp-file prefix REGISTRY.tmp.<pid>., so a killed writer's temp file
    names its pid (and the harness can tell whose it is)."""
    return "%s.tmp.%d." % (os.path.basename(registry), os.getpid())


def not_runnable(name, error):
    """For a missing library: exit 127, never 1, which means "refused"."""
    sys.stderr.write("%s: not runnable: %s\n" % (name, error))
    return EXIT_NOT_RUNNABLE


def stale_ms(default_ms):
    """LOCKHARNESS_STALE_MS overrides an adapter's age-based threshold."""
    raw = os.environ.get("LOCKHARNESS_STALE_MS", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else default_ms


def lock_wait_s():
    raw = os.environ.get("LOCKHARNESS_LOCK_WAIT_MS", "")
    return (int(raw) if raw.isdigit() and int(raw) > 0 else 8000) / 1000.0


def serialize(doc):
    return (json.dumps(doc, indent=2) + "\n").encode("utf-8")


class LibraryRegistry(ra.Registry):
    """The example's registry operations over a library's lock and write."""

    def __init__(self, path, lock_path, locked, write, load=None):
        super().__init__(path, lock_wait_s())
        self.lock_path = lock_path
        self._locked = locked
        self._write = write
        self._load = load

    def load(self):
        if self._load is None:
            return super().load()
        return as_registry(self._load(self.path), self.path)

    def mutate(self, change):
        with self._locked(self.path, self.lock_path, self.timeout_s):
            # time.monotonic_ns() is CLOCK_MONOTONIC on Linux; the span is
            # taken inside the lock, so it lies within the time we held it.
            acquired_ns = time.monotonic_ns()
            try:
                doc = self.load()
                change(doc)
                self._write(self.path, serialize(doc))
            finally:
                if self._locked is not NO_LOCK:  # no lock, no span
                    self.last_lock_acquired_ns = acquired_ns
                    self.last_lock_released_ns = time.monotonic_ns()


def parse_args(argv):
    """Returns (registry, lock_file, rest) or raises ValueError."""
    path, lock_path, rest = None, None, []
    i = 0
    while i < len(argv):
        if argv[i] == "--file" and i + 1 < len(argv):
            path, i = argv[i + 1], i + 2
        elif argv[i] == "--lock-file" and i + 1 < len(argv):
            lock_path, i = argv[i + 1], i + 2
        elif argv[i].startswith("--lock-file="):
            lock_path, i = argv[i].split("=", 1)[1], i + 1
        else:
            rest, i = argv[i:], len(argv)
    if path is None or not rest:
        raise ValueError("need --file PATH and an operation")
    path = os.path.abspath(path)
    return path, os.path.abspath(lock_path or path + ".lock"), rest


def print_span(registry):
    if (registry.last_lock_acquired_ns is not None and "LOCKHARNESS_RUN_DIR" in os.environ
            and "LOCKHARNESS_NO_SPANS" not in os.environ):
        sys.stdout.write(json.dumps({"lock_acquired_ns": registry.last_lock_acquired_ns,
                                     "lock_released_ns": registry.last_lock_released_ns}) + "\n")


def run_once(name, registry, op, args):
    needs_name = op in ("register", "update", "remove", "set-default", "get")
    if op not in ("register", "update", "remove", "set-default", "get", "list") or \
            (needs_name and not args) or (op == "update" and len(args) < 2):
        raise ValueError("bad operation: %s %s" % (op, " ".join(args)))
    fields = ra.parse_fields(args[1:]) if op in ("register", "update") else {}
    try:
        value = registry.perform(op, args[0] if needs_name else None, fields)
    except ra.Refused:
        print_span(registry)  # a refusal under the lock still held it
        raise
    if value is not None:
        sys.stdout.write(json.dumps(value) + "\n")
    else:
        print_span(registry)


def main(name, locked, write, argv=None, load=None):
    argv = sys.argv[1:] if argv is None else argv
    try:
        path, lock_path, rest = parse_args(argv)
    except ValueError as e:
        sys.stderr.write("%s: %s\n" % (name, e))
        return ra.EXIT_USAGE
    registry = LibraryRegistry(path, lock_path, locked, write, load)
    if rest[0] == "worker":
        return ra.run_worker(registry)
    outcomes = ((ValueError, ra.EXIT_USAGE, "usage"), (ra.Refused, ra.EXIT_REFUSED, "refused"),
                (LockTimeout, ra.EXIT_LOCK_TIMEOUT, "lock not acquired"),
                (ra.CorruptRegistry, ra.EXIT_CORRUPT, "corrupt registry"),
                (OSError, ra.EXIT_IO, "I/O error"))
    try:
        run_once(name, registry, rest[0], rest[1:])
    except Exception as e:  # pylint: disable=broad-except
        for kind, code, what in outcomes:
            if isinstance(e, kind):
                sys.stderr.write("%s: %s: %s\n" % (name, what, e))
                return code
        # Anything else (a library's own exception type): outcome unknown.
        sys.stderr.write("%s: %s: %s\n" % (name, type(e).__name__, e))
        return ra.EXIT_IO
    return ra.EXIT_OK
