#!/usr/bin/python3
"""tinydb_storage.py: the registry kept in TinyDB's JSONStorage, the storage
every TinyDB uses by default (Debian python3-tinydb 3.15). No lock: TinyDB
has none.

  /usr/bin/python3 harness/adapters/python/tinydb_storage.py --file REGISTRY OP ARGS...
  /usr/bin/python3 harness/adapters/python/tinydb_storage.py --file REGISTRY worker

TinyDB's tables lay documents out as {table: {doc_id: document}}, which is
not the registry document, so the adapter drives the storage layer under
them, as TinyDB does on every read and write: JSONStorage(REGISTRY) touches
the file (creating it empty if absent) and opens it 'r+'; read() is
json.load (an empty file reads as None, the empty registry); write(data)
seeks to 0, writes json.dumps(data), flushes, fsyncs and truncates: the
registry is rewritten in place, never replaced. No lock, no temp file, no
directory fsync.
"""

import json
import sys

import adapter_driver

try:
    from tinydb.storages import JSONStorage
except ImportError as missing:
    sys.exit(adapter_driver.not_runnable("tinydb_storage", missing))


def load(registry):
    storage = JSONStorage(registry)
    try:
        return storage.read()
    finally:
        storage.close()


def write(registry, data):
    storage = JSONStorage(registry)
    try:
        storage.write(json.loads(data))
    finally:
        storage.close()


if __name__ == "__main__":
    sys.exit(adapter_driver.main("tinydb_storage", adapter_driver.NO_LOCK, write, load=load))
