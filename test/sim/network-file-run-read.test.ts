/**
 * The run reads `network.file` as validation does (sim/scenario/network-file.ts): a regular file
 * of at most 32 MiB. The embedded world read it unchecked, so a file replaced after `sim validate`
 * (or a scenario run without it) was read whatever it was: a directory failed with the system's
 * EISDIR, a file of any size was read whole before it was parsed.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRng } from '../../infra/random.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { NETWORK_FILE_MAX_BYTES } from '../../sim/scenario/network-file.js';
import { networkSchema } from '../../sim/scenario/schema.js';

const GIVE = 'give a regular file of SimLN sim_network JSON, at most 32 MiB';

/** What building the run's embedded world from `file` throws. */
function worldError(file: string): unknown {
  try {
    new EmbeddedWorld(networkSchema.parse({ file }), createRng(1));
  } catch (err) {
    return err;
  }
  return expect.unreachable('the world was built');
}

describe('the run’s read of network.file is the checked read validation uses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'network-file-run-'));

  it('a directory is refused as not a regular file, not read', () => {
    const folder = join(dir, 'net.json');
    mkdirSync(folder);
    expect(worldError(folder)).toMatchObject({
      code: 'bad_network_file',
      message: `cannot read network.file ${folder}: a directory, not a regular file; ${GIVE}`,
    });
  });

  it('a file over 32 MiB is refused naming its size, before it is read', () => {
    expect(NETWORK_FILE_MAX_BYTES).toBe(32 * 1024 * 1024);
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, NETWORK_FILE_MAX_BYTES + 1);
    expect(worldError(big)).toMatchObject({
      code: 'bad_network_file',
      message: `cannot read network.file ${big}: 33,554,433 bytes, over the 32 MiB limit for reading it; ${GIVE}`,
    });
  });

  it('a missing file is refused saying so', () => {
    const missing = join(dir, 'none.json');
    expect(worldError(missing)).toMatchObject({
      code: 'bad_network_file',
      message: `cannot read network.file ${missing}: no such file; ${GIVE}`,
    });
  });
});
