import { createRng, insecureSeededSecrets } from '../../infra/random.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { SimNetwork, fixedLatency, type SimNetworkOptions } from '../../infra/lightning/simnet/index.js';

/** A network on a fresh virtual clock with a fixed seed. */
export function makeNet(opts: Partial<SimNetworkOptions> & { seed?: number | string } = {}) {
  const clock = new VirtualClock();
  const { seed = 1, ...rest } = opts;
  // Tests repeat exactly: node keys and preimages from the seed, said out loud.
  const net = new SimNetwork({
    clock,
    rng: createRng(seed),
    secrets: insecureSeededSecrets(createRng(seed)),
    ...rest,
  });
  return { clock, net };
}

/** Alice and Bob on a 1,000,000 sat channel (5 ms per hop): the pair the invoice-retention tests pay over. */
export function alicePaysBob(opts: Partial<SimNetworkOptions> = {}) {
  const { clock, net } = makeNet({ latency: fixedLatency(5), ...opts });
  const alice = net.addNode({ alias: 'alice' });
  const bob = net.addNode({ alias: 'bob' });
  net.openChannel(alice, bob, { capacityMsat: 1_000_000_000 });
  return { clock, net, alice, bob };
}

/** Runs the virtual clock until nothing sleeps, then returns the settled promise's value. */
export async function settle<T>(clock: VirtualClock, p: Promise<T>): Promise<T> {
  await clock.runUntilIdle();
  return p;
}

export const SAT = 1000;
export const BTC = 100_000_000_000;
