import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateCommand } from '../../sim/commands/validate-command.js';
import { runCommand } from '../../sim/commands/run-command.js';
import { reportCommand } from '../../sim/commands/report-command.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { ScenarioError } from '../../sim/scenario/errors.js';

function buffers(): CommandIo & { text: () => string } {
  const lines: string[] = [];
  return {
    out: (t) => lines.push(t),
    err: (t) => lines.push(t),
    interactive: false,
    now: () => new Date(Date.UTC(2026, 0, 1)),
    text: () => lines.join('\n'),
  };
}

const bad = `name: broken
durationSec: 30
sellers:
  - name: feed
    archetype: data-feed
    price: { kind: fixed, msat: 2000 }
buyers:
  - name: b
    policy: { name: max_per_request, params: { maxMsat: -5 } }
    budgetMsat: 1000
    arrivals: { process: poisson, ratePerMin: 0 }
    tasks: [{ capability: 'anomalies:read', value: { dist: fixed, msat: 10 } }]
`;

describe('sim CLI', () => {
  it('every command answers --help with its usage', async () => {
    for (const cmd of [runCommand, sweepCommand, validateCommand, reportCommand]) {
      const io = buffers();
      expect(await cmd(['--help'], io)).toBe(0);
      expect(io.text()).toMatch(/^usage: sim \w+/);
    }
  });

  it('validate lists every problem of a bad file as path: reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), bad);
    const err = await validateCommand([join(dir, 'bad.yaml')], buffers()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).message).toContain(
      'buyers[0].arrivals.ratePerMin: expected a positive number',
    );
    expect((err as ScenarioError).message).toContain(
      'buyers[0].policy.params.maxMsat: must be a non-negative integer number of msat',
    );
  });

  it('validate accepts every shipped scenario', async () => {
    for (const name of [
      'quickstart',
      'price-war',
      'resale',
      'policy-benchmark',
      'agent-chain',
      'faults',
      'reputation',
    ]) {
      const io = buffers();
      expect(await validateCommand([name], io)).toBe(0);
      expect(io.text()).toMatch(new RegExp(`^ok: ${name}`));
    }
  });

  it('validate says what the file makes, each count with its own noun (1 reseller group, not 1 reseller groups)', async () => {
    const io = buffers();
    expect(await validateCommand(['resale'], io)).toBe(0);
    expect(io.text().split('\n')[0]).toBe(
      'ok: resale: 1 seller, 4 buyers, 1 reseller group, 0 faults, 180 s',
    );
  });

  it('run writes the report and report redraws it from summary.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-run-'));
    const io = buffers();
    const code = await runCommand(
      ['quickstart', '--seed', '2', '--out', dir, '--set', 'durationSec=10', '--no-png'],
      io,
    );
    expect(code).toBe(0);
    expect(io.text()).toContain(`report: ${join(dir, 'report.html')}`);
    expect(io.text()).toMatch(/conservation holds/);
    const again = buffers();
    expect(await reportCommand([dir, '--no-png'], again)).toBe(0);
    expect(existsSync(join(dir, 'report.html'))).toBe(true);
  });

  it('the entry point exits 1 with the path and reason, and 2 on usage errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-cli-bin-'));
    writeFileSync(join(dir, 'bad.yaml'), bad);
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'sim/cli.ts', ...args], { encoding: 'utf8' });
    const v = cli(['validate', join(dir, 'bad.yaml')]);
    expect(v.status).toBe(1);
    expect(v.stderr).toContain('buyers[0].arrivals.ratePerMin: expected a positive number');
    const u = cli(['run', 'quickstart', '--backend', 'moon']);
    expect(u.status).toBe(2);
    expect(u.stderr).toContain('--backend must be embedded or regtest');
  }, 120_000);
});
