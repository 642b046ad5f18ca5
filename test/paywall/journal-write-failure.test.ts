/**
 * A seller's call counter journal (`FileQuotaStore`) whose write fails, in a real process whose
 * file size limit (`ulimit -f`) the journal has reached: a write past it fails with EFBIG, as one
 * on a full disk fails with ENOSPC (support/full-journal.ts). A change whose line fails is undone
 * in memory before the call is answered, so what the answer says is what is counted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const SELLER = fileURLToPath(new URL('./support/full-journal.ts', import.meta.url));

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Runs support/full-journal.ts `mode` with files of at most 1 MiB (2,048 blocks of 512 bytes); its JSON. */
async function runFull(mode: string): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'full-journal-'));
  dirs.push(dir);
  const args = [
    '-c',
    'ulimit -f 2048 && exec "$@"',
    'sh',
    process.execPath,
    '--import',
    'tsx',
    SELLER,
    mode,
    dir,
  ];
  const child = spawn('sh', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`full-journal.ts ${mode} failed (${code}): ${err}`);
  return JSON.parse(out) as Record<string, unknown>;
}

describe('a call counter journal that cannot be written (full)', { timeout: 60_000 }, () => {
  it("a 2-call token's call refused 503 quota_store_unavailable is not counted: the retry with the same token is served (200, 1 left); a failed call whose give-back cannot be written stays counted as its answer says (502, 0 left), so the next call is 402 quota_exhausted; the journal holds 2 calls", async () => {
    const r = await runFull('paywall');
    expect(r.answers).toEqual([
      '503 left=null retry=1 quota_store_unavailable',
      '200 left=1 retry=null',
      '502 left=0 retry=null upstream_down',
      '402 left=null retry=null quota_exhausted',
    ]);
    expect(r.runs).toBe(2);
    const token = 'e7c7e3e7a3dcaf89';
    expect(r.logs).toEqual([
      `the seller's call counter store did not answer, so this call of token ${token}… was not run; retry later with the same token`,
      `the quota store could not give back a call of token ${token}… (its handler failed); it stays counted`,
    ]);
    expect(r.counted).toEqual([
      {
        'e7c7e3e7a3dcaf89fe3fb6000d0c417be3a9f6a815496e6f3ed1130805b340c0:ab93c73efa95ab71227fc5e30d4be467306922f1f87cda6a13580424cff11be2': 2,
      },
    ]);
  });

  it("a copy's first two calls counted together and written in writes that fail are both undone, its 2-call reservation too (the bundle back at 3 used, the copy without a counter); its next call reserves again (5 used, 1 on the copy), and the journal rewritten from memory says so", async () => {
    const r = await runFull('copies');
    expect(r).toEqual({
      failed: ['EFBIG', 'EFBIG'],
      after: [3, 0],
      again: { ok: true, remaining: 1 },
      counts: [5, 1],
      journal: '{"t":"t","u":1000000000000,"used":{"t:b":5,"t:c":1},"back":{}}',
    });
  });
});
