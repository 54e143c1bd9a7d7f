// Runs the lock-and-rename protocol's steps with Node's synchronous fs API
// and prints one JSON line per step: {"step":"rename","ok":false,"code":"EIO"}.
// Usage: node node_protocol.js REGISTRY [steps...]
// Steps default to the whole protocol; "repeat-rename N" renames N temps.
'use strict';
const fs = require('fs');
const path = require('path');

const registry = process.argv[2];
const steps = process.argv.slice(3);
const lock = registry + '.lock';
const owner = path.join(lock, 'owner');
const temp = `${registry}.tmp.${process.pid}.${Math.random().toString(16).slice(2)}`;

function run(step, fn) {
  try {
    const value = fn();
    console.log(JSON.stringify({step, ok: true, value: value === undefined ? null : value}));
    return true;
  } catch (e) {
    console.log(JSON.stringify({step, ok: false, code: e.code || String(e)}));
    return false;
  }
}

function writeTemp() {
  const fd = fs.openSync(temp, 'w', 0o644);
  try {
    const n = fs.writeSync(fd, JSON.stringify({sandboxes: {}, pid: process.pid}));
    fs.fsyncSync(fd);
    return n;
  } finally {
    fs.closeSync(fd);
  }
}

function fsyncDir() {
  const fd = fs.openSync(path.dirname(registry), 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function protocol() {
  if (!run('mkdir', () => fs.mkdirSync(lock))) return;
  run('owner', () => fs.writeFileSync(owner, String(process.pid)));
  if (run('write', writeTemp) && run('rename', () => fs.renameSync(temp, registry))) {
    run('fsyncdir', fsyncDir);
  }
  run('unlink', () => fs.unlinkSync(owner));
  run('rmdir', () => fs.rmdirSync(lock));
}

if (steps.length === 0) {
  protocol();
} else if (steps[0] === 'repeat-rename') {
  for (let i = 0; i < Number(steps[1]); i++) {
    run('write', writeTemp);
    run('rename', () => fs.renameSync(temp, registry));
  }
} else if (steps[0] === 'unrelated-rename') {
  const other = path.join(path.dirname(registry), 'other.json');
  run('write-other', () => fs.writeFileSync(other + '.new', '{}'));
  run('rename-other', () => fs.renameSync(other + '.new', other));
  run('write', writeTemp);
  run('rename', () => fs.renameSync(temp, registry));
} else {
  console.error('unknown steps: ' + steps.join(' '));
  process.exit(2);
}
