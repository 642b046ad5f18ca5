/**
 * Entry point (detached): `node --import tsx infra/regtest/reaper.ts <ownerPid> <stateDir>`.
 * Waits for the owner process to exit, then tears the shared network down
 * (see shared-network.ts). Exits early if the network is already gone.
 */
import { access, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../log.js';
import { systemClock } from '../time/clock.js';
import { isAlive } from './processes.js';
import { downNetwork } from './lifecycle.js';

const [ownerArg, stateDir] = process.argv.slice(2);
const owner = Number(ownerArg);
if (!Number.isInteger(owner) || owner <= 0 || !stateDir) {
  process.exitCode = 2;
} else {
  const log = createLogger({ name: 'reaper', pretty: false });
  const present = (): Promise<boolean> =>
    access(join(stateDir, 'state.json')).then(
      () => true,
      () => false,
    );
  while (isAlive(owner) && (await present())) await systemClock.sleep(1000);
  if (await present()) {
    log.info({ owner, stateDir }, 'owner exited; tearing the network down');
    await downNetwork(stateDir, { clock: systemClock, logger: log });
    await rm(stateDir, { recursive: true, force: true });
    log.info('done');
  }
}
