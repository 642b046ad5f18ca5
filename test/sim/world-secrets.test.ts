import { describe, expect, it } from 'vitest';
import { createRng, osSecrets, type Rng, type SecretSource } from '../../infra/random.js';
import type { NetworkDesc } from '../../infra/regtest/network-file.js';
import { scenarioChecks } from '../../sim/market/checks.js';
import { EmbeddedWorld } from '../../sim/market/embedded-world.js';
import { RegtestWorld } from '../../sim/market/regtest-world.js';
import { runScenario } from '../../sim/run.js';
import { loadScenario } from '../../sim/scenario/load.js';

/** An embedded world that counts who asked it for secrets. */
class CountingWorld extends EmbeddedWorld {
  asked = 0;
  override secretsFor(rng: Rng): SecretSource {
    this.asked++;
    return super.secretsFor(rng);
  }
}

describe('where simulated agents get their secrets', () => {
  it('the embedded world seeds them from the run; the regtest world (real sockets) gives the OS CSPRNG', async () => {
    const embedded = new EmbeddedWorld(
      loadScenario('quickstart', { checks: scenarioChecks }).network,
      createRng(1),
    );
    const noNodes = { nodes: [] } as unknown as NetworkDesc;
    const regtest = await RegtestWorld.fromDesc(noNodes, createRng(1));
    expect([embedded.secretsFor(createRng(1)).insecure, regtest.secretsFor()]).toEqual([true, osSecrets]);
  });

  it('every seller and reseller of a run asks its world (resale: 1 seller, 2 brokers)', async () => {
    const scenario = loadScenario('resale', {
      overrides: { durationSec: 5, drainSec: 5 },
      checks: scenarioChecks,
    });
    const world = new CountingWorld(scenario.network, createRng(scenario.seed));
    await runScenario(scenario, { world });
    expect(world.asked).toBe(3);
  });
});
