import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createL402Client, FileTokenStore, type StoredToken } from '../../agents/l402/index.js';
import { FileBudgetBook } from '../../agents/policies/index.js';
import { parseChallenges, paymentHashOfToken } from '../../infra/l402/index.js';
import { drive, makeMarket } from '../buyer/market.js';

const WRITER = fileURLToPath(new URL('./support/writer-process.ts', import.meta.url));

/** Starts the writer process; resolves with it once its first line of output arrives. */
function startWriter(args: string[]): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve({ child, line: out.slice(0, nl) });
    });
    child.on('exit', (code, signal) => {
      if (!out.includes('\n')) reject(new Error(`writer exited (${code ?? signal}) without output: ${err}`));
    });
  });
}

/** Runs the writer to its end: its one line of output, or the signal that ended it. */
async function runWriter(args: string[]): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((r) =>
    child.on('exit', (c, s) => r([c, s])),
  );
  if (signal) return signal;
  if (code !== 0) throw new Error(`writer failed (${code}): ${err}`);
  return out.trim();
}

const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    child.on('exit', () => resolve());
    child.kill('SIGKILL');
  });

describe('token file and budget book across real processes', { timeout: 60_000 }, () => {
  it('a second process cannot open a token file in use; after the first dies mid-payment it completes the token without paying twice', async () => {
    const m = makeMarket();
    const s = m.addSeller({ name: 'alpha', priceMsat: 10_000 });
    const dir = await mkdtemp(join(tmpdir(), 'l402-procs-'));
    const path = join(dir, 'tokens.json');
    const before = await m.balance(m.buyer);
    // The first process got the challenge and wrote its pending token before paying.
    const probe = await m.fetch(s.url);
    const [challenge] = parseChallenges(probe.headers.get('www-authenticate')!);
    const pending: StoredToken = {
      origin: `http://${s.host}`,
      pathPrefix: '/v1/data',
      macaroon: challenge!.macaroon,
      paymentHash: paymentHashOfToken(challenge!.macaroon),
      state: 'pending',
      invoice: challenge!.invoice,
      amountMsat: 10_000,
      createdAt: m.clock.now(),
      callsUsed: 0,
    };
    const { child, line } = await startWriter(['tokens', path, JSON.stringify(pending)]);
    expect(line).toBe('ready');

    // While it lives, nobody else writes that file.
    await expect(FileTokenStore.open(path)).rejects.toMatchObject({
      code: 'file_locked',
      message: expect.stringContaining(`token file ${path} is in use by process ${child.pid}`),
    });

    // Its payment went out (the node outlives the client), then the process died.
    await drive(m.clock, m.buyer.pay(challenge!.invoice, { maxFeeMsat: 1_000 }));
    await killed(child);

    const tokens = await FileTokenStore.open(path);
    expect(tokens.list().map((t) => [t.state, t.paymentHash])).toEqual([['pending', pending.paymentHash]]);
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, tokens });
    const r = await client.purchase(s.url);
    await tokens.close();

    expect(r).toMatchObject({ outcome: 'success', tokenReused: true, paidMsat: 0 });
    // One payment: 10,000 msat and 110 msat of routing fees.
    expect(before - (await m.balance(m.buyer))).toBe(10_110);
    expect(s.events.filter((e) => e.type === 'challenge')).toHaveLength(1);
    expect(await readdir(dir)).toEqual(['tokens.json']);
  });

  it('a 25,000 msat/day budget holds across restarts: a second process may not spend what the first did', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'l402-budget-')), 'budgets.json');

    expect(await runWriter(['budget', path, '3'])).toBe('["allow","allow","over_budget"]');
    // Restarted: 20,200 msat already spent today; 11,000 more (price + fee ceiling) would pass 25,000.
    expect(await runWriter(['budget', path, '3'])).toBe('["over_budget","over_budget","over_budget"]');
  });

  it('a hold left by a process killed mid-payment counts as spent after the restart', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'l402-budget-')), 'budgets.json');

    expect(await runWriter(['budget', path, '3', 'crash'])).toBe('SIGKILL');
    // 11,000 held when it died: one more 11,000 fits (22,000), a third would not.
    expect(await runWriter(['budget', path, '3'])).toBe('["allow","over_budget","over_budget"]');
  });

  it('a budget file in use by another process is refused', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'l402-budget-')), 'budgets.json');
    const held = await FileBudgetBook.open(path);
    await expect(runWriter(['budget', path, '1'])).rejects.toThrow(
      `budget file ${path} is in use by process ${process.pid}`,
    );
    await held.close();
    expect(await runWriter(['budget', path, '1'])).toBe('["allow"]');
  });
});
