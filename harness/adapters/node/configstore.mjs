// configstore.mjs: the registry kept with configstore 8, as its README
// shows (no lock: configstore has none).
//
//   node harness/adapters/node/configstore.mjs --file REGISTRY OP ARGS...
//   node harness/adapters/node/configstore.mjs --file REGISTRY worker
//
// new Configstore(id, undefined, { configPath: REGISTRY }); a read is the
// `all` getter, a write the `all` setter (what get/set/delete do inside:
// every set() reads the whole file, changes it and writes it whole).
// The getter: readFileSync + JSON.parse; ENOENT is {}; with the default
// clearInvalidConfig: true, a file that does not parse is overwritten with
// an empty file and read as {} (configstore issue 90). The setter: mkdir -p
// of the directory, then atomically's writeFileSync: temp REGISTRY.tmp-<time><hex>
// (open 'w'), write, fsync, close, rename over the registry. No directory
// fsync, no lock, no re-read before the write.
import { createRequire } from 'node:module';

const driver = createRequire(import.meta.url)('./lib/driver.js');
const { default: Configstore } = await driver.importLibrary('configstore', 'configstore');

let store = null;
const open = (file) => (store ??= new Configstore('lockharness-registry', undefined, { configPath: file }));

driver.run({
  name: 'configstore',
  withLock: driver.noLock,
  load: (file) => driver.asRegistry(open(file).all, file),
  save: (file, text) => { open(file).all = JSON.parse(text); },
});
