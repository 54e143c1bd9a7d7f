// atomically.mjs: the registry written with atomically 2 alone, as its
// README shows (no lock: atomically has none).
//
//   node harness/adapters/node/atomically.mjs --file REGISTRY OP ARGS...
//   node harness/adapters/node/atomically.mjs --file REGISTRY worker
//
// Read: atomically's readFile + JSON.parse (strict: a file that does not
// parse is refused, exit 5). Write: writeFile(REGISTRY, text): temp
// REGISTRY.tmp-<time><hex> (open 'w'), write, fsync, close, rename over the
// registry (retried on EPERM/EBUSY-like errors for up to 7.5 s). No
// directory fsync, no lock.
import { createRequire } from 'node:module';

const driver = createRequire(import.meta.url)('./lib/driver.js');
const atomically = await driver.importLibrary('atomically', 'atomically');

driver.run({
  name: 'atomically',
  withLock: driver.noLock,
  save: (file, text) => atomically.writeFile(file, text),
});
