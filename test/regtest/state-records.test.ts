/**
 * The records the network CLI reads back: state.json (what `up` started) and
 * dockerd.json (a dockerd `docker-prepare` started). One that is not JSON, or
 * not such a record, is an `invalid_state` error naming the file and what to
 * do, not a parser's dump.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { stopDockerd } from '../../infra/regtest/engine.js';
import { readState } from '../../infra/regtest/state.js';

const dir = mkdtempSync(join(tmpdir(), 'l402-state-records-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const WHAT_TO_DO = 'stop any daemons it names by hand or delete it';

describe('state.json that is not a network state', () => {
  it.each([
    ['not JSON (a truncated file)', '{"version": 1, "kind": "nat', expect.stringMatching(/^not JSON: /)],
    [
      'JSON of another shape',
      '{}',
      'version: required: add version; expected 1; kind: required: add kind; expected native | docker',
    ],
    [
      'a state of an unknown kind',
      '{"version": 1, "kind": "k8s", "processes": []}',
      'kind: expected native | docker, got "k8s"',
    ],
  ])('%s names the file, the problem and what to do', async (_what, text, why) => {
    const stateDir = join(dir, `state-${text.length}`);
    mkdirSync(stateDir);
    const file = join(stateDir, 'state.json');
    writeFileSync(file, text);
    const err = await readState(stateDir).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'invalid_state' });
    const message = (err as Error).message;
    const [head, tail] = [`${file} is not a network state (`, `): ${WHAT_TO_DO}`];
    expect([message.startsWith(head), message.endsWith(tail)]).toEqual([true, true]);
    expect(message.slice(head.length, -tail.length)).toEqual(why);
  });
});

describe('dockerd.json that is not a dockerd record', () => {
  it('docker-stop names the file instead of stopping a pid it cannot trust', async () => {
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    writeFileSync(join(cache, 'dockerd.json'), '{"name": "dockerd"}\n');
    const saved = process.env.L402_LAB_CACHE;
    process.env.L402_LAB_CACHE = cache;
    try {
      await expect(stopDockerd(systemClock)).rejects.toThrow(
        expect.objectContaining({
          code: 'invalid_state',
          message: expect.stringMatching(
            new RegExp(`^${join(cache, 'dockerd.json')} is not a dockerd record \\(.+\\): ${WHAT_TO_DO}$`),
          ),
        }),
      );
    } finally {
      if (saved === undefined) delete process.env.L402_LAB_CACHE;
      else process.env.L402_LAB_CACHE = saved;
    }
  });
});
