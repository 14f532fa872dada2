/**
 * Where the native network's run directory is (default network/run/, ENERGY_NETWORK_RUN_DIR
 * overrides it): `npm run network:up` writes the clients' connection files there, and every
 * client of the network reads them from there.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root: the nearest parent holding this project's package.json. */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, 'network', 'config', 'core.yaml'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the repository root above ${__dirname}`);
    dir = parent;
  }
}

export function defaultRunDir(): string {
  return process.env.ENERGY_NETWORK_RUN_DIR
    ? path.resolve(process.env.ENERGY_NETWORK_RUN_DIR)
    : path.join(repoRoot(), 'network', 'run');
}
