import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NETWORK_FILE_MAX_BYTES } from '../../sim/scenario/network-file.js';
import { withNetworkFiles } from '../../sim/sweep/network-file.js';
import { sweepId } from '../../sim/sweep/queue-plan.js';

describe('the network file a queued sweep ships with its jobs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-network-file-'));
  const yaml = (file: string) => `name: x\nnetwork:\n  file: ${file}\n`;

  it('goes with each job that names it (after its overrides), read once; a job naming none is left as it is', () => {
    const a = join(dir, 'a.json');
    writeFileSync(a, '{"sim_network":[]}');
    const jobs = [
      { id: 0, scenario: 's.yaml', overrides: {}, seed: 1 },
      { id: 1, scenario: 's.yaml', overrides: { network: {} }, seed: 1 },
    ];
    expect(withNetworkFiles(jobs, yaml(a), 's.yaml')).toEqual([
      { ...jobs[0], networkFile: { path: a, text: '{"sim_network":[]}' } },
      jobs[1],
    ]);
  });

  it('is part of the sweep id: the same jobs with another file content are another sweep', () => {
    const job = { id: 0, scenario: 's.yaml', overrides: {}, seed: 1 };
    const one = sweepId('code', [{ ...job, networkFile: { path: 'n.json', text: '{"a":1}' } }]);
    const two = sweepId('code', [{ ...job, networkFile: { path: 'n.json', text: '{"a":2}' } }]);
    expect(one).toMatch(/^[0-9a-f]{20}$/);
    expect(two).not.toBe(one);
  });

  it(`refuses a file over ${NETWORK_FILE_MAX_BYTES} bytes, saying what to do`, () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, 'x'.repeat(NETWORK_FILE_MAX_BYTES + 1));
    expect(() =>
      withNetworkFiles([{ id: 0, scenario: 's.yaml', overrides: {}, seed: 1 }], yaml(big), 's.yaml'),
    ).toThrow(
      expect.objectContaining({
        code: 'bad_network_file',
        message:
          `network.file ${big} is 33554433 bytes; a queued sweep sends it to its workers and takes at most ` +
          '33554432 bytes: use a smaller network file, or run the sweep without --queue',
      }),
    );
  });
});
