"""catalog_tool.py: probes and runs the adapters listed in catalog.json.

  catalog_tool.py probe [NAME...]      one line per adapter (all if none named):
                                       "NAME: runnable" or "NAME: not runnable: REASON";
                                       exit 0 if all named are runnable, else 2
  catalog_tool.py template NAME MODE   prints the --impl template (MODE per-op|worker)
  catalog_tool.py run NAME [--mode per-op|worker] [lockharness run flags...]
                                       probes, then runs `lockharness run --impl
                                       TEMPLATE ...` (from any directory); a
                                       runtime that is missing is reported
                                       "not runnable: REASON" (exit 2) without running

Used through probe.sh and run.sh beside it. Environment:
  LOCKHARNESS_ADAPTER_CATALOG  another catalog file (default: catalog.json here)
  LOCKHARNESS_BUILD_DIR        the build directory that replaces a leading
                               "build/" in templates and commands (default: build)
  LOCKHARNESS                  the lockharness binary (default:
                               $LOCKHARNESS_BUILD_DIR/harness/lockharness)
Paths in the catalog are relative to the repository root; installed (beside
share/lockharness/adapters, as `cmake --install` and the .deb put it),
"harness/adapters/X" is X here and "build/protocol/lockreg" the installed
lockreg, as for lockharness itself. Standard library only, so it runs under
any python3.
"""

import json
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# A checkout has ROOT/harness/adapters; an install P/share/lockharness/adapters.
INSTALLED = os.path.basename(os.path.dirname(HERE)) != "harness"
ROOT = os.path.dirname(HERE) if INSTALLED else os.path.dirname(os.path.dirname(HERE))
INSTALLED_BIN = os.path.normpath(os.path.join(HERE, "..", "..", "..", "bin"))
ADAPTER_PYTHON = "/usr/bin/python3"
NODE_DIR = os.path.join(HERE, "node")


def build_dir():
    return os.environ.get("LOCKHARNESS_BUILD_DIR", "build")


def relocate(word):
    """build/... names the default build; LOCKHARNESS_BUILD_DIR may move it.
    harness/adapters/... names a file here. Installed, build/protocol/lockreg
    is the installed lockreg."""
    if word.startswith("harness/adapters/"):
        return os.path.join(HERE, word[len("harness/adapters/"):])
    if word.startswith("build/"):
        if INSTALLED:
            return os.path.join(INSTALLED_BIN, "lockreg") if word == "build/protocol/lockreg" else word
        return os.path.join(build_dir(), word[len("build/"):])
    return word


def load_catalog():
    path = os.environ.get("LOCKHARNESS_ADAPTER_CATALOG", os.path.join(HERE, "catalog.json"))
    with open(path, encoding="utf-8") as f:
        return {entry["name"]: entry for entry in json.load(f)["adapters"]}


def missing_command(command):
    if "/" in command:
        path = os.path.join(ROOT, relocate(command))
        return None if os.access(path, os.X_OK) and os.path.isfile(path) else \
            "%s not found or not executable" % path
    return None if shutil.which(command) else "%s not found on PATH" % command


def missing_python_module(module):
    if not os.access(ADAPTER_PYTHON, os.X_OK):
        return "%s not found" % ADAPTER_PYTHON
    probe = "import importlib.util, sys; sys.exit(importlib.util.find_spec(sys.argv[1]) is None)"
    result = subprocess.run([ADAPTER_PYTHON, "-c", probe, module],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return None if result.returncode == 0 else \
        "python module %s missing for %s" % (module, ADAPTER_PYTHON)


def missing_node_module(module):
    node = shutil.which("node")
    if node is None:
        return "node not found on PATH"
    probe = "require.resolve(process.argv[1], { paths: [process.argv[2]] })"
    result = subprocess.run([node, "-e", probe, module, NODE_DIR],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return None if result.returncode == 0 else \
        "node module %s not installed in %s (run harness/adapters/install.sh)" % (module, NODE_DIR)


def why_not_runnable(entry, mode):
    """None if the adapter can run in `mode`, else the reason."""
    if entry.get(mode.replace("-", "_")) is None:
        return "no %s mode" % mode
    requires = entry.get("requires", {})
    checks = [(missing_command, requires.get("commands", [])),
              (missing_python_module, requires.get("python_modules", [])),
              (missing_node_module, requires.get("node_modules", []))]
    for check, items in checks:
        for item in items:
            reason = check(item)
            if reason:
                return reason
    return None


def template(entry, mode):
    """The --impl template, with the catalog's repository-relative paths made
    absolute so that it runs from any directory."""
    words = [relocate(w) for w in shlex.split(entry[mode.replace("-", "_")])]
    for i, word in enumerate(words):
        if not os.path.isabs(word) and os.path.exists(os.path.join(ROOT, word)):
            words[i] = os.path.join(ROOT, word)
    return " ".join(shlex.quote(w) if w != "{registry}" else w for w in words)


def cmd_probe(catalog, names):
    status = 0
    for name in names or list(catalog):
        entry = catalog.get(name)
        reason = "no such adapter in the catalog" if entry is None else why_not_runnable(entry, "per-op")
        print("%s: %s" % (name, "runnable" if reason is None else "not runnable: " + reason))
        status = status if reason is None else 2
    return status


def cmd_run(catalog, name, args):
    mode = "per-op"
    for i, arg in enumerate(args):
        if arg == "--mode" and i + 1 < len(args):
            mode = args[i + 1]
        elif arg.startswith("--mode="):
            mode = arg.split("=", 1)[1]
    entry = catalog.get(name)
    reason = "no such adapter in the catalog" if entry is None else why_not_runnable(entry, mode)
    if reason:
        print("lockharness: implementation not runnable: %s: %s" % (name, reason), file=sys.stderr)
        return 2
    default = os.path.join(INSTALLED_BIN, "lockharness") if INSTALLED \
        else os.path.join(ROOT, build_dir(), "harness", "lockharness")
    lockharness = os.path.abspath(os.environ["LOCKHARNESS"]) if os.environ.get("LOCKHARNESS") \
        else default
    argv = [lockharness, "run", "--impl", template(entry, mode)]
    if not any(a == "--mode" or a.startswith("--mode=") for a in args):
        argv += ["--mode", mode]
    try:
        os.execv(argv[0], argv + list(args))
    except OSError as e:
        print("lockharness: cannot run %s: %s" % (argv[0], e), file=sys.stderr)
        return 2


def main(argv):
    if not argv or argv[0] not in ("probe", "template", "run"):
        sys.stderr.write(__doc__)
        return 2
    try:
        catalog = load_catalog()
    except (OSError, ValueError, KeyError) as e:
        print("catalog_tool: cannot read the catalog: %s" % e, file=sys.stderr)
        return 2
    if argv[0] == "probe":
        return cmd_probe(catalog, argv[1:])
    if argv[0] == "template":
        if len(argv) != 3 or argv[1] not in catalog or argv[2] not in ("per-op", "worker") \
                or catalog[argv[1]].get(argv[2].replace("-", "_")) is None:
            print("catalog_tool: template NAME per-op|worker (with a template)", file=sys.stderr)
            return 2
        print(template(catalog[argv[1]], argv[2]))
        return 0
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    return cmd_run(catalog, argv[1], argv[2:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
