/**
 * What the shared test network collects before it starts (collectStale): the
 * `<owner>.lease` lock a worker leaves when it is killed holding it goes once
 * both its network's owner and its holder are gone; a lease either of them
 * still holds stays. No network is started (no `<owner>` folders here).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { silentLogger } from '../../infra/log.js';
import { collectStale } from '../../infra/regtest/shared-network.js';

const root = mkdtempSync(join(tmpdir(), 'l402-shared-stale-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Pids no process has any more. */
const dead = (): number => spawnSync('true').pid;

/** A lease folder as acquireFileLock leaves it: `<owner>.lease/owner` holding the holder's pid (or none yet). */
function lease(owner: number, holder?: number): string {
  const dir = join(root, `${owner}.lease`);
  mkdirSync(dir);
  if (holder !== undefined) writeFileSync(join(dir, 'owner'), String(holder));
  return dir;
}

it('removes a lease whose owner and holder are gone, and keeps the ones still in use', async () => {
  const stale = lease(dead(), dead());
  const ownerAlive = lease(process.pid, dead());
  const holderAlive = lease(dead(), process.pid);
  const beingTaken = lease(dead());
  await collectStale(root, systemClock, silentLogger);
  expect(existsSync(stale)).toBe(false);
  expect([ownerAlive, holderAlive, beingTaken].filter(existsSync)).toEqual([
    ownerAlive,
    holderAlive,
    beingTaken,
  ]);
});
