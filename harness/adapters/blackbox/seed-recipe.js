#!/usr/bin/env node
// seed-recipe.js: a black-box registry client for the harness to judge by
// observation alone. It knows nothing of the harness: it prints no lock
// spans, publishes its owner record where its recipe puts it and has no
// worker mode. The recipe (mkdir lock, PID owner file, temp file + rename):
//
//   node seed-recipe.js [--bug unchecked-release|shared-temp] FILE OP ARGS...
//   OP: register NAME [K=V...] | update NAME K=V... | remove NAME |
//       set-default NAME | get NAME | list
//
// --bug plants one bug: unchecked-release removes the lock at the end
// without checking it is still ours; shared-temp writes every update
// through the same temp name FILE.tmp. Exit: 0 done, 1 refused, 2 usage,
// 3 lock not acquired, 4 other error, 5 corrupt registry.
'use strict';
const fs = require('fs');

const args = process.argv.slice(2);
let bug = '';
if (args[0] === '--bug') { bug = args[1]; args.splice(0, 2); }
const [file, op, name, ...rest] = args;
const lock = `${file}.lock`;
const owner = `${lock}/owner`;
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const fail = (code, message) => { process.stderr.write(`${message}\n`); process.exit(code); };
// An error with the exit code it stands for (thrown inside the lock, so
// the lock is released first).
const refusal = (code, message) => Object.assign(new Error(message), { exitCode: code });

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

function readOwner() {
  try { return parseInt(fs.readFileSync(owner, 'utf8'), 10); } catch { return NaN; }
}

function acquire() {
  for (let attempt = 0; attempt < 300; attempt++) {
    try {
      fs.mkdirSync(lock);
      fs.writeFileSync(owner, String(process.pid));
      return;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    }
    const pid = readOwner();
    if (Number.isFinite(pid) && pid > 0 && !alive(pid)) {
      // A dead owner's lock: move it aside under a name of our own, then
      // remove it, so two waiters never both remove a fresh lock.
      const aside = `${lock}.stale.${process.pid}`;
      try {
        fs.renameSync(lock, aside);
        if (parseInt(fs.readFileSync(`${aside}/owner`, 'utf8'), 10) === pid) {
          fs.rmSync(aside, { recursive: true, force: true });
        } else {
          fs.renameSync(aside, lock);  // not the one we judged: put it back
        }
      } catch { /* someone else got there first */ }
      continue;
    }
    Atomics.wait(sleeper, 0, 0, 20);
  }
  fail(3, 'lock not acquired');
}

function release() {
  if (bug !== 'unchecked-release' && readOwner() !== process.pid) return;  // not ours any more
  try { fs.unlinkSync(owner); } catch { /* gone */ }
  try { fs.rmdirSync(lock); } catch { /* gone */ }
}

function load() {
  let text;
  try { text = fs.readFileSync(file, 'utf8'); } catch (e) {
    if (e.code === 'ENOENT') return { sandboxes: {}, defaultSandbox: null };
    throw e;
  }
  try {
    const doc = JSON.parse(text);
    if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
    doc.sandboxes = doc.sandboxes || {};
    if (doc.defaultSandbox === undefined) doc.defaultSandbox = null;
    return doc;
  } catch (e) {
    throw refusal(5, `corrupt registry: ${e.message}`);
  }
}

function save(doc) {
  const temp = bug === 'shared-temp' ? `${file}.tmp` : `${file}.tmp.${process.pid}`;
  const fd = fs.openSync(temp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(doc, null, 2) + '\n');
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(temp, file);
  } catch (e) {
    try { fs.unlinkSync(temp); } catch { /* gone */ }
    throw e;
  }
}

function fields() {
  const out = {};
  for (const kv of rest) {
    const at = kv.indexOf('=');
    if (at < 1) throw refusal(2, `bad field ${kv}`);
    const key = kv.slice(0, at);
    const value = kv.slice(at + 1);
    out[key] = key === 'gpuEnabled' ? ['true', '1', 'yes'].includes(value)
      : key === 'policies' ? value.split(',').filter(Boolean) : value;
  }
  return out;
}

function mutate(doc) {
  const entry = doc.sandboxes[name];
  if (op === 'register') {
    doc.sandboxes[name] = { name, createdAt: new Date().toISOString(), model: null,
      nimContainer: null, provider: null, gpuEnabled: false, policies: [], ...fields(), name };
    if (!doc.defaultSandbox) doc.defaultSandbox = name;
    return;
  }
  if (entry === undefined) throw refusal(1, `unknown sandbox ${name}`);
  if (op === 'update') {
    const f = fields();
    if ('name' in f && f.name !== name) throw refusal(1, 'cannot rename a sandbox');
    Object.assign(entry, f);
  } else if (op === 'remove') {
    delete doc.sandboxes[name];
    if (doc.defaultSandbox === name) doc.defaultSandbox = Object.keys(doc.sandboxes)[0] ?? null;
  } else if (op === 'set-default') {
    doc.defaultSandbox = name;
  } else {
    throw refusal(2, `unknown operation ${op}`);
  }
}

if (!file || !op) fail(2, 'usage: seed-recipe.js [--bug KIND] FILE OP ARGS...');
if (op === 'get' || op === 'list') {
  let doc;
  try { doc = load(); } catch (e) { fail(e.exitCode || 4, e.message); }
  if (op === 'list') process.stdout.write(JSON.stringify(doc) + '\n');
  else if (doc.sandboxes[name] === undefined) fail(1, `unknown sandbox ${name}`);
  else process.stdout.write(JSON.stringify(doc.sandboxes[name]) + '\n');
  process.exit(0);
}
acquire();
try {
  const doc = load();
  mutate(doc);
  save(doc);
} catch (e) {
  release();
  fail(e.exitCode || 4, e.message);
}
release();
