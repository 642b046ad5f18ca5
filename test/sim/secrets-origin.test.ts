/**
 * A simulated run's keys and preimages are seeded (`insecureSeededSecrets`): anyone with its seed
 * and events.jsonl can recompute every preimage. No output said so. meta.json now records where
 * the secrets came from, read from the world (`World.secrets`), and the console summary and
 * report.html's provenance table say it.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng, osSecrets, type SecretSource } from '../../infra/random.js';
import type { NetworkDesc } from '../../infra/regtest/network-file.js';
import { reportCommand } from '../../sim/commands/report-command.js';
import { runCommand } from '../../sim/commands/run-command.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { RegtestWorld } from '../../sim/market/regtest-world.js';
import { secretOrigin } from '../../sim/market/world.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';

const SEEDED_7 =
  'seeded from seed 7: anyone who knows the seed can recompute every key and preimage of this run (simulation only)';

/** An embedded world whose agents draw their secrets from the OS, as a world facing real sockets must. */
class OsSecretsWorld extends EmbeddedWorld {
  override readonly secrets = secretOrigin(osSecrets);
  override secretsFor(): SecretSource {
    return osSecrets;
  }
}

describe('where a run says its secrets came from', () => {
  it('sim run quickstart --seed 7: meta.json has "secrets": "seeded" after "backend", the console, report.html and sim report say seeded from seed 7', async () => {
    const lines: string[] = [];
    const io = {
      out: (l: string) => lines.push(l),
      err: () => {},
      interactive: false,
      now: () => new Date(0),
    };
    const dir = join(mkdtempSync(join(tmpdir(), 'secrets-origin-')), 'out');
    const argv = ['quickstart', '--seed', '7', '--set', 'durationSec=5', '--no-png', '--out', dir];
    expect(await runCommand(argv, io)).toBe(0);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(meta).slice(3, 7)).toEqual(['seed', 'backend', 'secrets', 'code']);
    expect([meta.seed, meta.backend, meta.secrets]).toEqual([7, 'embedded', 'seeded']);
    const out = lines.join('\n').split('\n');
    expect(out.filter((l) => l.startsWith('secrets'))).toEqual([`secrets: ${SEEDED_7}`]);
    // The line stands after the conservation line, where README's sample of this output skips lines.
    expect(out[out.indexOf(`secrets: ${SEEDED_7}`) - 1]).toMatch(/^conservation holds: /);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain(`<tr><td>secrets</td><td>${SEEDED_7}</td></tr>`);
    // `sim report` redraws the run and prints the same line, read from its meta.json.
    lines.length = 0;
    expect(await reportCommand([dir, '--no-png'], io)).toBe(0);
    expect(
      lines
        .join('\n')
        .split('\n')
        .filter((l) => l.startsWith('secrets')),
    ).toEqual([`secrets: ${SEEDED_7}`]);
  }, 60_000);

  it('meta.json reads the world: an embedded world handing out OS secrets records "os"; the regtest world is "os", the embedded "seeded"', async () => {
    const scenario = loadScenario('quickstart', { overrides: { durationSec: 5 }, checks: scenarioChecks });
    const world = new OsSecretsWorld(scenario.network, createRng(scenario.seed));
    const { meta } = await runScenario(scenario, { world });
    const regtest = await RegtestWorld.fromDesc({ nodes: [] } as unknown as NetworkDesc, createRng(1));
    const embedded = new EmbeddedWorld(scenario.network, createRng(1));
    expect([meta.secrets, regtest.secrets, embedded.secrets]).toEqual(['os', 'os', 'seeded']);
  }, 60_000);
});
