"""Runs the lock-and-rename protocol's steps with Python's os module and
prints one JSON line per step: {"step": "replace", "ok": false, "code": "EIO"}.
Usage: python3 python_protocol.py REGISTRY
"""
import errno
import json
import os
import sys


def run(step, fn):
    try:
        value = fn()
        print(json.dumps({"step": step, "ok": True, "value": value}), flush=True)
        return True
    except OSError as e:
        print(json.dumps({"step": step, "ok": False,
                          "code": errno.errorcode.get(e.errno, str(e.errno))}),
              flush=True)
        return False


def main():
    registry = sys.argv[1]
    lock = registry + ".lock"
    owner = os.path.join(lock, "owner")
    temp = "%s.tmp.%d.py" % (registry, os.getpid())

    def write_owner():
        fd = os.open(owner, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            return os.write(fd, str(os.getpid()).encode())
        finally:
            os.close(fd)

    def write_temp():
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            n = os.write(fd, json.dumps({"sandboxes": {}}).encode())
            os.fsync(fd)
            return n
        finally:
            os.close(fd)

    def fsync_dir():
        fd = os.open(os.path.dirname(registry), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    if not run("mkdir", lambda: os.mkdir(lock)):
        return
    run("owner", write_owner)
    if run("write", write_temp) and run("replace", lambda: os.replace(temp, registry)):
        run("fsyncdir", fsync_dir)
    run("unlink", lambda: os.unlink(owner))
    run("rmdir", lambda: os.rmdir(lock))


if __name__ == "__main__":
    main()
