/**
 * Ctrl-C during a real `npm run network:up -- --native`, with its own state
 * folder and free ports: SIGINT goes to its whole process group the way a
 * terminal sends it (npm, tsx and the CLI all get it) a few seconds in, once
 * btcd is recorded and while the chain is prepared, before any lnd starts.
 * The bring-up stops, starts nothing more, tears down once what it had
 * started, and exits 130 saying what it stopped; no process of its data
 * folder is left. Step by step with stand-in daemons: abort-up.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { systemClock } from '../../infra/time/clock.js';
import { isAlive, isOurs, type ProcessRecord } from '../../infra/regtest/processes.js';
import { readState } from '../../infra/regtest/state.js';
import { describeRegtest, regtestAvailability, regtestDriver } from './support/regtest.js';
import { downIfStarted } from './support/run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'l402-up-interrupt-'));
const state = join(dir, 'state');
const out = join(dir, 'network.json');
let child: ChildProcess | undefined;

afterAll(() => {
  // A failed test must not leave the CLI or any daemon of its network running.
  if (child?.pid && isAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
  downIfStarted(state);
  if (seen.dataDir) for (const pid of processesNaming(seen.dataDir)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** What the bring-up recorded in `state` so far (its daemons, its data folder), gathered while it runs. */
const seen = { daemons: new Map<string, ProcessRecord>(), dataDir: '' };

async function look(): Promise<void> {
  const recorded = await readState(state).catch(() => undefined);
  if (recorded?.dataDir) seen.dataDir = recorded.dataDir;
  for (const p of recorded?.processes ?? []) seen.daemons.set(p.name, p);
}

/** Pids of live processes (not zombies: their cmdline is empty) whose command line names `text`. */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        return readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

const unavailable =
  regtestDriver() === 'native' ? await regtestAvailability() : 'this test runs the native driver only';

describeRegtest(unavailable, 'Ctrl-C during a real npm run network:up', () => {
  it('stops the bring-up, tears down every daemon it started, once, and exits 130', async () => {
    const args = ['run', '--silent', 'network:up', '--', '--native', '--state', state, '--out', out];
    // Its own process group, as a terminal's foreground job: a signal to -pid reaches npm and the CLI
    // (the script execs node, with tsx as its loader: no tsx process stands between them that could
    // kill a CLI slow to answer). npm passes the SIGINT on to the CLI as well, so it gets two.
    const up = spawn('npm', args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'warn', npm_config_script_shell: '/bin/bash' },
    });
    child = up;
    const text = { out: '', err: '' };
    up.stdout.on('data', (d: Buffer) => (text.out += d.toString()));
    up.stderr.on('data', (d: Buffer) => (text.err += d.toString()));
    const exited = new Promise<number | null>((r) => up.on('close', (code) => r(code)));
    let done = false;
    void exited.then(() => (done = true));
    // A few seconds in: once btcd is recorded, while the chain is prepared and before any lnd starts.
    while (!seen.daemons.has('btcd')) {
      if (done) throw new Error(`network:up ended before starting btcd: ${text.err}`);
      await look();
      await systemClock.sleep(20);
    }
    process.kill(-up.pid!, 'SIGINT');
    while (!done) {
      await look();
      await systemClock.sleep(20);
    }
    expect(await exited, text.err).toBe(130);
    const line = /^interrupted; tore down (\d+) process(?:es)? \((.*)\)$/m.exec(text.err);
    const names = [...seen.daemons.keys()].sort();
    expect([Number(line?.[1]), line?.[2]?.split(', ').sort()], text.err).toEqual([names.length, names]);
    // One Ctrl-C is one press, though the CLI got it twice.
    const warnings = text.out
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(warnings).toEqual([
      'interrupted: stopping the bring-up, then tearing down what it started',
      'interrupted; stopping what was started',
    ]);
    // Nothing of this network runs: no recorded daemon, and no process at all naming its data folder.
    expect([...seen.daemons.values()].filter((rec) => isOurs(rec))).toEqual([]);
    expect(processesNaming(seen.dataDir)).toEqual([]);
    expect([existsSync(join(state, 'state.json')), existsSync(out), existsSync(seen.dataDir)]).toEqual([
      false,
      false,
      false,
    ]);
  }, 60_000);
});
