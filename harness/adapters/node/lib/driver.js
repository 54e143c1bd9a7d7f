// driver.js: what every Node adapter shares, so that an adapter file holds
// only its library's locking and writing.
//
// An adapter calls run({ name, withLock, save, load? }) with
//   withLock(file, critical)  takes the lock the library's way, runs
//                             critical() (sync, or returning a promise
//                             when load or save is asynchronous),
//                             releases the lock, and returns its result;
//                             noLock for a library that has no lock (then
//                             no lock span is reported);
//   save(file, text)          writes the registry (sync or a promise);
//   load(file)                optional: reads the registry, sync or a
//                             promise (default: strict JSON, ENOENT is the
//                             empty registry); asRegistry() checks what a
//                             library's own reader returns.
// ESM-only libraries are loaded from an .mjs adapter with importLibrary().
// The driver parses `--file PATH OP ARGS...` (per-op mode, one process per
// operation) or `--file PATH worker` (JSON lines on stdin), applies the
// registry document's rules (the schema the harness checks, as in
// harness/adapters/python/registry_adapter.py) and answers in the terms of
// docs/adapter-contract.md. Exit codes follow lockreg: 0 done, 1 refused,
// 2 usage, 3 lock not acquired, 4 I/O or other error (outcome unknown),
// 5 corrupt registry, 127 a library is not installed.
'use strict';

const fs = require('fs');
const readline = require('readline');

const EXIT = { ok: 0, refused: 1, usage: 2, lockTimeout: 3, unknown: 4, corrupt: 5 };

class Refused extends Error {}
class LockTimeout extends Error {}
class CorruptRegistry extends Error {}
class UsageError extends Error {}

// require() of a library that is not installed: exit 127, because Node's
// own exit on an uncaught error is 1, which the harness reads as "refused".
function requireLibrary(adapterName, module) {
  try {
    return require(module);
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND') throw e;
    process.stderr.write(`${adapterName}: not runnable: ${module} is not installed (run harness/adapters/install.sh)\n`);
    process.exit(127);
  }
}

// The same for an ES module (import() of a package that is not installed).
async function importLibrary(adapterName, module) {
  try {
    return await import(module);
  } catch (e) {
    if (e.code !== 'ERR_MODULE_NOT_FOUND') throw e;
    process.stderr.write(`${adapterName}: not runnable: ${module} is not installed (run harness/adapters/install.sh)\n`);
    process.exit(127);
  }
}

// For a library without a lock: the adapter adds none, so the harness
// measures what the library's users get.
function noLock(file, critical) {
  return critical();
}

// LOCKHARNESS_STALE_MS overrides an adapter's age-based stale threshold.
function staleMs(defaultMs) {
  const raw = process.env.LOCKHARNESS_STALE_MS;
  if (raw === undefined || raw === '') return defaultMs;
  const value = Number(raw);
  return Number.isInteger(value) && value > 0 ? value : defaultMs;
}

// How long an adapter waits for the lock before giving up (exit 3): below
// the harness's default 10 s op timeout, so a timeout is reported by us.
function lockWaitMs() {
  const raw = Number(process.env.LOCKHARNESS_LOCK_WAIT_MS);
  return Number.isInteger(raw) && raw > 0 ? raw : 8000;
}

function emptyRegistry() {
  return { sandboxes: {}, defaultSandbox: null };
}

function loadStrict(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e.code === 'ENOENT') return emptyRegistry();
    throw e;
  }
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new CorruptRegistry(`${file}: ${e.message}`);
  }
  return asRegistry(doc, file);
}

// A parsed document as a registry: refuses anything else (exit 5), fills
// in the keys an empty store lacks.
function asRegistry(doc, file) {
  const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!isObject(doc) || (doc.sandboxes !== undefined && !isObject(doc.sandboxes))) {
    throw new CorruptRegistry(`${file}: not a registry document`);
  }
  doc.sandboxes = doc.sandboxes || {};
  if (doc.defaultSandbox === undefined) doc.defaultSandbox = null;
  return doc;
}

// KEY=VALUE strings become the field types the schema wants.
function applyFields(entry, fields) {
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'gpuEnabled') entry[key] = [true, 'true', '1', 'yes'].includes(value);
    else if (key === 'policies') entry[key] = Array.isArray(value) ? value : String(value).split(',').filter(Boolean);
    else entry[key] = value;
  }
}

function requireEntry(doc, name) {
  if (!Object.prototype.hasOwnProperty.call(doc.sandboxes, name)) throw new Refused('unknown sandbox');
  return doc.sandboxes[name];
}

const MUTATIONS = {
  register(doc, name, fields) {
    const entry = {
      name, createdAt: new Date().toISOString(), model: null, nimContainer: null,
      provider: null, gpuEnabled: false, policies: [],
    };
    const { name: _ignored, ...rest } = fields;
    applyFields(entry, rest);
    doc.sandboxes[name] = entry;
    if (!doc.defaultSandbox) doc.defaultSandbox = name;
  },
  update(doc, name, fields) {
    const entry = requireEntry(doc, name);
    if ('name' in fields && fields.name !== name) throw new Refused('cannot rename a sandbox');
    applyFields(entry, fields);
  },
  remove(doc, name) {
    requireEntry(doc, name);
    delete doc.sandboxes[name];
    if (doc.defaultSandbox === name) doc.defaultSandbox = Object.keys(doc.sandboxes)[0] ?? null;
  },
  'set-default'(doc, name) {
    requireEntry(doc, name);
    doc.defaultSandbox = name;
  },
};

// Runs one operation. Returns { value } for reads, { span } for writes:
// the span is measured inside critical(), so it lies within the lock.
async function perform(adapter, file, op, name, fields) {
  const load = adapter.load || loadStrict;
  if (op === 'get') return { value: requireEntry(await load(file), name) };
  if (op === 'list') return { value: await load(file) };
  const mutate = MUTATIONS[op];
  if (!mutate) throw new UsageError(`unknown operation ${op}`);
  const result = {};
  // Synchronous when load and save are: a synchronous withLock (the seed
  // recipe's) releases its lock as soon as critical() returns.
  const isPromise = (v) => v !== null && typeof v === 'object' && typeof v.then === 'function';
  const critical = () => {
    const acquired = process.hrtime.bigint();  // CLOCK_MONOTONIC on Linux (libuv)
    const finish = () => { result.span = [acquired, process.hrtime.bigint()]; };
    const apply = (doc) => {
      mutate(doc, name, fields);
      return adapter.save(file, JSON.stringify(doc, null, 2) + '\n');
    };
    try {
      const loaded = load(file);
      const saved = isPromise(loaded) ? loaded.then(apply) : apply(loaded);
      if (isPromise(saved)) return saved.finally(finish);
      finish();
      return undefined;
    } catch (e) {
      finish();
      throw e;
    }
  };
  // A refusal or error inside the lock still carries the span. Without a
  // lock there is no span to report.
  const lockless = adapter.withLock === noLock;
  try {
    await adapter.withLock(file, critical);
  } catch (e) {
    if (result.span && !lockless && e !== null && typeof e === 'object') e.span = result.span;
    throw e;
  }
  if (lockless) delete result.span;
  return result;
}

// JSON with BigInt nanoseconds written as plain integers (they can exceed
// 2^53 after a long uptime, so no Number conversion).
function stringify(object) {
  return JSON.stringify(object, (k, v) => (typeof v === 'bigint' ? `@big:${v}` : v))
    .replace(/"@big:(\d+)"/g, '$1');
}

function classify(error) {
  if (error instanceof Refused) return { exit: EXIT.refused, definite: true };
  if (error instanceof LockTimeout) return { exit: EXIT.lockTimeout, definite: true };
  if (error instanceof CorruptRegistry) return { exit: EXIT.corrupt, definite: true };
  if (error instanceof UsageError) return { exit: EXIT.usage, definite: true };
  return { exit: EXIT.unknown, definite: false };
}

async function runWorker(adapter, file) {
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    const answer = {};
    let result = {};
    try {
      const request = JSON.parse(line);
      answer.id = request.id;
      result = await perform(adapter, file, request.op, request.name, request.fields || {});
      answer.ok = true;
      if (result.value !== undefined) answer.value = result.value;
    } catch (e) {
      const { definite } = classify(e);
      Object.assign(answer, { ok: false, error: `${e.constructor.name}: ${e.message}` },
        definite ? {} : { unknown: true });
      result = e.span ? { span: e.span } : result;
    }
    if (result.span && !process.env.LOCKHARNESS_NO_SPANS) {
      [answer.lock_acquired_ns, answer.lock_released_ns] = result.span;
    }
    process.stdout.write(stringify(answer) + '\n');
  }
}

function parseFields(args) {
  const fields = {};
  for (const arg of args) {
    const at = arg.indexOf('=');
    if (at <= 0) throw new UsageError(`expected KEY=VALUE, got ${arg}`);
    fields[arg.slice(0, at)] = arg.slice(at + 1);
  }
  return fields;
}

async function runOnce(adapter, file, op, args) {
  const needsName = ['register', 'update', 'remove', 'set-default', 'get'].includes(op);
  if ((needsName && args.length === 0) || (op === 'update' && args.length < 2)) {
    throw new UsageError(`bad operation: ${op} ${args.join(' ')}`);
  }
  const fields = ['register', 'update'].includes(op) ? parseFields(args.slice(1)) : {};
  let result;
  try {
    result = await perform(adapter, file, op, needsName ? args[0] : null, fields);
  } catch (e) {
    printSpan(e.span);
    throw e;
  }
  if (result.value !== undefined) process.stdout.write(JSON.stringify(result.value) + '\n');
  else printSpan(result.span);
}

// Under the harness, report when the lock was held (contract extension for
// per-op mode: the last stdout line).
function printSpan(span) {
  // LOCKHARNESS_NO_SPANS (tests): be judged from observation alone.
  if (!span || !process.env.LOCKHARNESS_RUN_DIR || process.env.LOCKHARNESS_NO_SPANS) return;
  const [acquired, released] = span;
  process.stdout.write(stringify({ lock_acquired_ns: acquired, lock_released_ns: released }) + '\n');
}

// An uncaught error (e.g. proper-lockfile's default onCompromised throws
// from a timer) would make Node exit 1, which the harness reads as
// "refused"; the outcome is unknown, so say so.
function exitUnknownOnCrash(name) {
  const crash = (e) => {
    process.stderr.write(`${name}: crashed: ${e && e.stack ? e.stack : e}\n`);
    process.exit(EXIT.unknown);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

function run(adapter) {
  exitUnknownOnCrash(adapter.name);
  const argv = process.argv.slice(2);
  const fileAt = argv.indexOf('--file');
  if (fileAt !== 0 || argv.length < 3) {
    process.stderr.write(`usage: ${adapter.name} --file PATH (OP ARGS... | worker)\n`);
    process.exitCode = EXIT.usage;
    return;
  }
  const file = require('path').resolve(argv[1]);
  const [op, ...args] = argv.slice(2);
  const done = op === 'worker' ? runWorker(adapter, file) : runOnce(adapter, file, op, args);
  done.then(() => { process.exitCode = EXIT.ok; }, (e) => {
    process.stderr.write(`${adapter.name}: ${e.constructor.name}: ${e.message}\n`);
    process.exitCode = classify(e).exit;
  });
}

module.exports = {
  run, requireLibrary, importLibrary, noLock, asRegistry, staleMs, lockWaitMs, loadStrict, emptyRegistry, Refused, LockTimeout, CorruptRegistry,
};
