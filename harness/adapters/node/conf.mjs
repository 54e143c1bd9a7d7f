// conf.mjs: the registry kept with conf 15, as its README shows (no lock:
// the README says conf does not support several processes).
//
//   node harness/adapters/node/conf.mjs --file REGISTRY OP ARGS...
//   node harness/adapters/node/conf.mjs --file REGISTRY worker
//
// new Conf({ cwd: dirname(REGISTRY), configName: 'sandboxes' }) for
// REGISTRY = .../sandboxes.json; a read is the `store` getter, a write the
// `store` setter (what get/set/delete do inside: every set() reads the
// whole file, changes it and writes it whole). The getter: readFileSync +
// JSON.parse (clearInvalidConfig defaults to false: a file that does not
// parse throws, exit 4). The setter re-reads the file for conf's internal
// key, then atomically's writeFileSync: temp REGISTRY.tmp-<time><hex>, write,
// fsync, close, rename. No directory fsync, no lock.
import { createRequire } from 'node:module';
import path from 'node:path';

const driver = createRequire(import.meta.url)('./lib/driver.js');
const { default: Conf } = await driver.importLibrary('conf', 'conf');

let conf = null;
function open(file) {
  if (!file.endsWith('.json')) throw new Error(`conf needs a .json file name, got ${file}`);
  conf ??= new Conf({ cwd: path.dirname(file), configName: path.basename(file, '.json') });
  return conf;
}

driver.run({
  name: 'conf',
  withLock: driver.noLock,
  load: (file) => driver.asRegistry(open(file).store, file),
  save: (file, text) => { open(file).store = JSON.parse(text); },
});
