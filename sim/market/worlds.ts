import type { Rng } from '../../infra/random.js';
import type { Scenario } from '../scenario/schema.js';
import { EmbeddedWorld } from './embedded-world.js';
import { RegtestWorld } from './regtest-world.js';
import { type World } from './world.js';
import { LabError } from '../../infra/errors.js';
import { UNSIGNED_NEEDS_EMBEDDED } from '../scenario/backend-checks.js';

/** Builds the world a run asks for: the one switch between the embedded network and real LND. */
export async function createWorld(
  backend: 'embedded' | 'regtest',
  scenario: Scenario,
  rng: Rng,
  networkFile?: string,
): Promise<World> {
  if (backend === 'embedded') return new EmbeddedWorld(scenario.network, rng);
  if (scenario.network.invoices === 'unsigned')
    throw new LabError('bad_network_file', `network.invoices: ${UNSIGNED_NEEDS_EMBEDDED}`);
  const file = networkFile ?? scenario.network.file;
  if (!file)
    throw new LabError(
      'bad_network_file',
      'the regtest backend needs a network description: --network <network.json>',
    );
  return RegtestWorld.open(file, rng);
}
