// lowdb.mjs: the registry kept with lowdb 7 (JSONFile, written by steno 4),
// as its README shows (no lock: lowdb has none).
//
//   node harness/adapters/node/lowdb.mjs --file REGISTRY OP ARGS...
//   node harness/adapters/node/lowdb.mjs --file REGISTRY worker
//
// const db = await JSONFilePreset(REGISTRY, defaultData) once per process;
// before every operation `await db.read()` (so a worker sees the others'
// writes), then the change on db.data and `await db.write()`. JSONFile
// parses with JSON.parse (a file that does not parse throws, exit 4) and
// writes JSON.stringify(data, null, 2) through steno's Writer: writeFile of
// the fixed temp name .REGISTRY.tmp in the same directory (no O_EXCL, so
// two processes write the same temp file), then rename, retried 10 times.
// No fsync at all, no lock.
import { createRequire } from 'node:module';

const driver = createRequire(import.meta.url)('./lib/driver.js');
const { JSONFilePreset } = await driver.importLibrary('lowdb', 'lowdb/node');

let db = null;
async function open(file) {
  db ??= await JSONFilePreset(file, { sandboxes: {}, defaultSandbox: null });
  return db;
}

driver.run({
  name: 'lowdb',
  withLock: driver.noLock,
  load: async (file) => {
    const handle = await open(file);
    await handle.read();
    return driver.asRegistry(handle.data, file);
  },
  save: async (file, text) => {
    const handle = await open(file);
    handle.data = JSON.parse(text);
    await handle.write();
  },
});
