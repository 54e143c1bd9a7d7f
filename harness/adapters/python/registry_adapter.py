#!/usr/bin/python3
"""registry_adapter.py: the lock-and-rename registry protocol in plain Python.

An example implementation for the harness (docs/adapter-contract.md), using
only the standard library. It guards a JSON registry file shared by many
processes:

  lock     mkdir <file>.lock; publish the owner record <file>.lock/owner
           (the bare PID) through a temp file and rename inside the lock
           directory, so a reader never sees a half-written owner.
  write    the new JSON goes to a unique temp file <file>.tmp.<pid>.<random>
           (O_CREAT|O_EXCL), is fsynced, renamed over <file>, and the
           directory is fsynced.
  unlock   remove the owner record and the lock directory.
  reaping  a lock is broken only if its owner is dead (os.kill(pid, 0) raises
           ProcessLookupError), or if it has had no owner record for
           OWNERLESS_GRACE_S (its creator died between mkdir and publishing).
           Breaking renames the lock directory to a unique quarantine name
           first, so two breakers cannot both remove it, then checks that
           the quarantined owner is the dead one seen before.

Per-op mode:  registry_adapter.py --file PATH [--timeout-ms N] OP ARGS...
  OP is register NAME [K=V...] | update NAME K=V... | remove NAME |
  set-default NAME | get NAME | list.
  Under the harness (LOCKHARNESS_RUN_DIR set) a mutating operation prints
  {"lock_acquired_ns":..,"lock_released_ns":..} (CLOCK_MONOTONIC) on stdout.
  Exit codes (as the reference client): 0 done, 1 refused, 2 usage error,
  3 lock not acquired before the deadline, 4 I/O error, 5 corrupt registry,
  6 lock lost (written, but the lock had been broken meanwhile).
Worker mode:  registry_adapter.py --file PATH [--timeout-ms N] worker
  reads one JSON request per line on stdin, answers one JSON line each.
"""

import errno
import json
import os
import secrets
import sys
import time

OWNERLESS_GRACE_S = 10.0
EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_LOCK_TIMEOUT = 0, 1, 2, 3
EXIT_IO, EXIT_CORRUPT, EXIT_LOCK_LOST = 4, 5, 6
STRING_FIELDS = ("model", "nimContainer", "provider")


class Refused(Exception):
    """The operation does not apply (unknown sandbox, rename attempt)."""


class LockTimeout(Exception):
    """The lock was not acquired before the deadline; nothing changed."""


class CorruptRegistry(Exception):
    """The registry file is not a registry document."""


class LockLost(Exception):
    """The lock was broken by someone else while we held it."""


def _monotonic_ns():
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def _fsync_dir(path):
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new_file(path, data):
    """Creates `path` (must not exist), writes `data`, fsyncs it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _pid_is_dead(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # exists, owned by someone else
    return False


def _read_owner(lock_dir):
    """Returns the owner PID, or None if there is no (valid) owner record."""
    try:
        with open(os.path.join(lock_dir, "owner"), "rb") as f:
            text = f.read().decode("ascii", "replace").strip()
    except FileNotFoundError:
        return None
    return int(text) if text.isdigit() and int(text) > 0 else None


def _remove_lock_dir(lock_dir):
    for entry in os.listdir(lock_dir):
        os.unlink(os.path.join(lock_dir, entry))
    os.rmdir(lock_dir)


class DirLock:
    """The registry lock: <file>.lock, owned by this process while held."""

    def __init__(self, registry_path):
        self.path = registry_path + ".lock"
        self.held = False

    def acquire(self, deadline):
        delay = 0.001
        while True:
            try:
                os.mkdir(self.path, 0o755)
            except FileExistsError:
                self._maybe_break()
                if time.monotonic() >= deadline:
                    raise LockTimeout(self.path)
                time.sleep(delay * (0.5 + secrets.randbelow(1000) / 1000.0))
                delay = min(delay * 2, 0.05)
                continue
            self._publish_owner()
            self.held = True
            return

    def _publish_owner(self):
        tmp = os.path.join(self.path, "owner.tmp.%d.%s" % (os.getpid(), secrets.token_hex(4)))
        _write_new_file(tmp, b"%d\n" % os.getpid())
        os.rename(tmp, os.path.join(self.path, "owner"))

    def _maybe_break(self):
        """Breaks the lock if its holder is dead; otherwise does nothing."""
        try:
            owner = _read_owner(self.path)
            if owner is None:
                age = time.time() - os.stat(self.path).st_mtime
                if age < OWNERLESS_GRACE_S:
                    return  # its creator is probably publishing the owner
            elif not _pid_is_dead(owner):
                return
            quarantine = "%s.quarantine.%d.%s" % (self.path, os.getpid(), secrets.token_hex(4))
            os.rename(self.path, quarantine)
        except (FileNotFoundError, NotADirectoryError):
            return  # released or broken by someone else meanwhile
        except OSError as e:
            if e.errno in (errno.ENOTEMPTY, errno.EEXIST):
                return
            raise
        if _read_owner(quarantine) == owner:
            _remove_lock_dir(quarantine)
            return
        # A live holder took the lock between our look and the rename: give
        # it back if nobody has taken the name since. If that fails the
        # holder finds its lock gone before writing (LockLost).
        try:
            os.rename(quarantine, self.path)
        except OSError:
            pass

    def still_held(self):
        return _read_owner(self.path) == os.getpid()

    def release(self):
        if not self.held:
            return
        self.held = False
        if not self.still_held():
            raise LockLost(self.path)
        _remove_lock_dir(self.path)


class Registry:
    def __init__(self, path, timeout_s):
        self.path = os.path.abspath(path)
        self.timeout_s = timeout_s
        self.last_lock_acquired_ns = None
        self.last_lock_released_ns = None

    # -- file access ---------------------------------------------------
    def load(self):
        try:
            with open(self.path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            return {"sandboxes": {}, "defaultSandbox": None}
        try:
            doc = json.loads(raw)
        except ValueError as e:
            raise CorruptRegistry("%s: %s" % (self.path, e))
        if not isinstance(doc, dict) or not isinstance(doc.get("sandboxes", {}), dict):
            raise CorruptRegistry("%s: not a registry document" % self.path)
        doc.setdefault("sandboxes", {})
        doc.setdefault("defaultSandbox", None)
        return doc

    def save(self, doc, lock):
        directory = os.path.dirname(self.path)
        tmp = "%s.tmp.%d.%s" % (self.path, os.getpid(), secrets.token_hex(6))
        data = (json.dumps(doc, indent=2) + "\n").encode("utf-8")
        try:
            _write_new_file(tmp, data)
            if not lock.still_held():
                raise LockLost(lock.path)
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise
        _fsync_dir(directory)

    def mutate(self, change):
        """Runs change(doc) under the lock and saves the result."""
        lock = DirLock(self.path)
        lock.acquire(time.monotonic() + self.timeout_s)
        self.last_lock_acquired_ns = _monotonic_ns()
        try:
            doc = self.load()
            change(doc)
            self.save(doc, lock)
        finally:
            self.last_lock_released_ns = _monotonic_ns()
            lock.release()

    # -- operations ----------------------------------------------------
    @staticmethod
    def _apply_fields(entry, fields):
        for key, value in fields.items():
            if key == "gpuEnabled":
                entry[key] = value in (True, "true", "1", "yes")
            elif key == "policies":
                entry[key] = value if isinstance(value, list) else [p for p in value.split(",") if p]
            else:
                entry[key] = value

    def register(self, name, fields):
        def change(doc):
            entry = {"name": name,
                     "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                     "model": None, "nimContainer": None, "provider": None,
                     "gpuEnabled": False, "policies": []}
            self._apply_fields(entry, {k: v for k, v in fields.items() if k != "name"})
            doc["sandboxes"][name] = entry
            if doc.get("defaultSandbox") is None:
                doc["defaultSandbox"] = name
        self.mutate(change)

    def update(self, name, fields):
        def change(doc):
            entry = doc["sandboxes"].get(name)
            if entry is None:
                raise Refused("unknown sandbox")
            if "name" in fields and fields["name"] != name:
                raise Refused("cannot rename a sandbox")
            self._apply_fields(entry, fields)
        self.mutate(change)

    def remove(self, name):
        def change(doc):
            if name not in doc["sandboxes"]:
                raise Refused("unknown sandbox")
            del doc["sandboxes"][name]
            if doc.get("defaultSandbox") == name:
                doc["defaultSandbox"] = next(iter(doc["sandboxes"]), None)
        self.mutate(change)

    def set_default(self, name):
        def change(doc):
            if name not in doc["sandboxes"]:
                raise Refused("unknown sandbox")
            doc["defaultSandbox"] = name
        self.mutate(change)

    def get(self, name):
        entry = self.load()["sandboxes"].get(name)
        if entry is None:
            raise Refused("unknown sandbox")
        return entry

    def list(self):
        return self.load()

    def perform(self, op, name, fields):
        """Runs one operation; returns the value of a read, else None."""
        self.last_lock_acquired_ns = self.last_lock_released_ns = None
        if op == "register":
            self.register(name, fields)
        elif op == "update":
            self.update(name, fields)
        elif op == "remove":
            self.remove(name)
        elif op == "set-default":
            self.set_default(name)
        elif op == "get":
            return self.get(name)
        elif op == "list":
            return self.list()
        else:
            raise ValueError("unknown operation %r" % op)
        return None


def run_worker(registry):
    """Worker mode: one JSON request per stdin line, one answer per line."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        answer = {}
        try:
            request = json.loads(line)
            answer["id"] = request.get("id")
            value = registry.perform(request.get("op"), request.get("name"),
                                     request.get("fields") or {})
            answer["ok"] = True
            if value is not None:
                answer["value"] = value
        except (Refused, LockTimeout, CorruptRegistry, ValueError) as e:
            # Nothing was written: a definite refusal.
            answer.update(ok=False, error="%s: %s" % (type(e).__name__, e))
        except (LockLost, OSError) as e:
            # The write may or may not have happened.
            answer.update(ok=False, unknown=True, error="%s: %s" % (type(e).__name__, e))
        if registry.last_lock_acquired_ns is not None and "LOCKHARNESS_NO_SPANS" not in os.environ:
            answer["lock_acquired_ns"] = registry.last_lock_acquired_ns
            answer["lock_released_ns"] = registry.last_lock_released_ns
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return EXIT_OK


def parse_fields(args):
    fields = {}
    for arg in args:
        key, sep, value = arg.partition("=")
        if not sep or not key:
            raise ValueError("expected KEY=VALUE, got %r" % arg)
        fields[key] = value
    return fields


def usage(message):
    sys.stderr.write("registry_adapter: %s\n" % message)
    sys.stderr.write(__doc__.split("Per-op mode:")[1])
    return EXIT_USAGE


def main(argv):
    path, timeout_ms, rest = None, 5000, []
    i = 0
    while i < len(argv):
        if argv[i] == "--file" and i + 1 < len(argv):
            path, i = argv[i + 1], i + 2
        elif argv[i] == "--timeout-ms" and i + 1 < len(argv) and argv[i + 1].isdigit():
            timeout_ms, i = int(argv[i + 1]), i + 2
        else:
            rest, i = argv[i:], len(argv)
    if path is None or not rest:
        return usage("need --file PATH and an operation")
    registry = Registry(path, timeout_ms / 1000.0)
    op, args = rest[0], rest[1:]
    if op == "worker":
        return run_worker(registry)
    needs_name = op in ("register", "update", "remove", "set-default", "get")
    if op not in ("register", "update", "remove", "set-default", "get", "list") or \
            (needs_name and not args) or (op == "update" and len(args) < 2):
        return usage("bad operation: %s" % " ".join(rest))
    try:
        fields = parse_fields(args[1:]) if op in ("register", "update") else {}
        value = registry.perform(op, args[0] if needs_name else None, fields)
    except ValueError as e:
        return usage(str(e))
    except Refused as e:
        sys.stderr.write("registry_adapter: refused: %s\n" % e)
        return EXIT_REFUSED
    except LockTimeout as e:
        sys.stderr.write("registry_adapter: lock not acquired: %s\n" % e)
        return EXIT_LOCK_TIMEOUT
    except CorruptRegistry as e:
        sys.stderr.write("registry_adapter: corrupt registry: %s\n" % e)
        return EXIT_CORRUPT
    except LockLost as e:
        sys.stderr.write("registry_adapter: lock lost: %s\n" % e)
        return EXIT_LOCK_LOST
    except OSError as e:
        sys.stderr.write("registry_adapter: I/O error: %s\n" % e)
        return EXIT_IO
    if value is not None:
        sys.stdout.write(json.dumps(value) + "\n")
    elif (registry.last_lock_acquired_ns is not None and "LOCKHARNESS_RUN_DIR" in os.environ
          and "LOCKHARNESS_NO_SPANS" not in os.environ):
        # Under the harness, report when the lock was held, so that its
        # mutual-exclusion checker can judge per-op runs too.
        sys.stdout.write(json.dumps({"lock_acquired_ns": registry.last_lock_acquired_ns,
                                     "lock_released_ns": registry.last_lock_released_ns}) + "\n")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
