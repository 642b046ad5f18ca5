/**
 * The one helper every real-Lightning test file uses (this area's and later
 * ones: simulator --backend regtest, lnget, Aperture). It brings up ONE
 * regtest network per `vitest run` (shared by every test file's worker,
 * torn down when vitest exits) and hands it out one file at a time.
 *
 * Which network: native btcd + lnd processes by default;
 * `L402_REGTEST_DRIVER=compose` runs the same suites over the
 * docker-compose network on a Docker engine (`L402_COMPOSE_IMAGES=local`
 * for the FROM-scratch images and btcd, `polar` for Polar's images, `auto`
 * by default: Polar's when present or pullable).
 *
 *   const avail = await regtestAvailability();
 *   describeRegtest(avail, 'my suite', () => {
 *     const rt = useRegtest();           // beforeAll/afterAll inside
 *     it('…', async () => { const buyer = await rt.node('buyer-1'); … });
 *   });
 */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { LndNode } from '../../../infra/lightning/lnd/index.js';
import { createLogger, silentLogger } from '../../../infra/log.js';
import { systemClock } from '../../../infra/time/clock.js';
import { ensureBinaries, existingBinary, goVersion } from '../../../infra/regtest/binaries.js';
import { REGTEST_TARGETS } from '../../../infra/regtest/go-targets.js';
import { Chain } from '../../../infra/regtest/chain.js';
import { Faucet } from '../../../infra/regtest/faucet.js';
import { nodeByName, type NetworkDesc } from '../../../infra/regtest/network-file.js';
import { composeAvailable, dockerAvailable } from '../../../infra/regtest/engine.js';
import type { ImageChoice } from '../../../infra/regtest/images.js';
import { startNetworkNode, stopNetworkNode } from '../../../infra/regtest/lifecycle.js';
import { acquireSharedNetwork, type SharedNetworkLease } from '../../../infra/regtest/shared-network.js';
import { LndAdmin } from '../../../infra/regtest/lnd-admin.js';

/** The network the suites run on (`L402_REGTEST_DRIVER`). */
export function regtestDriver(): 'native' | 'compose' {
  const d = process.env.L402_REGTEST_DRIVER ?? 'native';
  if (d !== 'native' && d !== 'compose')
    throw new Error(`L402_REGTEST_DRIVER must be native or compose, got ${JSON.stringify(d)}`);
  return d;
}

function imageChoice(): ImageChoice {
  const c = process.env.L402_COMPOSE_IMAGES ?? 'auto';
  if (c !== 'auto' && c !== 'local' && c !== 'polar')
    throw new Error(`L402_COMPOSE_IMAGES must be auto, local or polar, got ${JSON.stringify(c)}`);
  return c;
}

/** `undefined` when real LND can run here; otherwise why not. Builds the binaries if Go is there. */
export async function regtestAvailability(): Promise<string | undefined> {
  if (regtestDriver() === 'compose') {
    if (!(await dockerAvailable()))
      return 'L402_REGTEST_DRIVER=compose but no Docker engine answers (npx tsx infra/regtest/cli.ts docker-prepare)';
    if (!(await composeAvailable()))
      return 'L402_REGTEST_DRIVER=compose but `docker compose` is missing (npx tsx infra/regtest/cli.ts docker-prepare)';
  }
  const present = await Promise.all(REGTEST_TARGETS.map((t) => existingBinary(t)));
  if (present.every(Boolean)) return undefined;
  if (!(await goVersion())) return 'Go is not installed, so btcd and lnd cannot be built (install Go ≥ 1.24)';
  try {
    await ensureBinaries(REGTEST_TARGETS, {
      clock: systemClock,
      logger: createLogger({ name: 'regtest-build' }),
    });
    return undefined;
  } catch (err) {
    return `building btcd/lnd failed: ${(err as Error).message}`;
  }
}

/**
 * `describe` that runs only when real LND is available. Otherwise the suite
 * is skipped with the reason in its name, or, with REQUIRE_REAL_LN=1 (CI),
 * replaced by one failing test carrying the reason.
 */
export function describeRegtest(unavailable: string | undefined, name: string, body: () => void): void {
  if (unavailable === undefined) {
    describe(name, body);
  } else if (process.env.REQUIRE_REAL_LN === '1') {
    describe(name, () => {
      it('needs real LND (REQUIRE_REAL_LN=1)', () => {
        throw new Error(`real LND required but unavailable: ${unavailable}`);
      });
    });
  } else {
    describe.skip(`${name} (skipped: ${unavailable})`, body);
  }
}

/** A test file's view of the shared network while it holds it. */
export interface RegtestHandle {
  readonly net: NetworkDesc;
  readonly stateDir: string;
  /** An `LndNode` for a node of the network (cached; closed after the file). */
  node(name: string, opts?: { reconnectTimeoutMs?: number }): Promise<LndNode>;
  /** The chain backend, mining to the network's faucet. */
  chain(): Promise<Chain>;
  /** Stops one lnd (SIGTERM, as a crash-free restart would; compose: its container). */
  stop(name: string): Promise<void>;
  /** Starts it again on the same data and waits until it is ready. */
  start(name: string): Promise<void>;
}

/** vitest runs each file in a worker process whose parent is the vitest run itself. */
function ownerPid(): number {
  return process.send ? process.ppid : process.pid;
}

/** Leases the shared network for this test file (beforeAll) and gives it back (afterAll). */
export function useRegtest(): RegtestHandle {
  let lease: SharedNetworkLease | undefined;
  const nodes = new Map<string, LndNode>();
  let chain: Chain | undefined;
  const need = (): SharedNetworkLease => {
    if (!lease) throw new Error('regtest network not acquired (use inside tests of describeRegtest)');
    return lease;
  };
  beforeAll(async () => {
    const logger = process.env.LOG_LEVEL ? createLogger({ name: 'regtest' }) : silentLogger;
    lease = await acquireSharedNetwork({
      ownerPid: ownerPid(),
      clock: systemClock,
      logger,
      driver: regtestDriver(),
      images: imageChoice(),
    });
    await freshen(lease.net);
  });
  afterAll(async () => {
    await Promise.all([...nodes.values()].map((n) => n.close()));
    await chain?.close();
    await lease?.release();
  });
  return {
    get net() {
      return need().net;
    },
    get stateDir() {
      return need().stateDir;
    },
    async node(name, opts = {}) {
      const key = `${name}/${opts.reconnectTimeoutMs ?? ''}`;
      let n = nodes.get(key);
      if (!n) {
        n = await LndNode.fromFiles(nodeByName(need().net, name), { clock: systemClock, ...opts });
        nodes.set(key, n);
      }
      return n;
    },
    async chain() {
      if (!chain) {
        const b = need().net.bitcoin;
        if (!b) throw new Error('this network has no bitcoin section in network.json');
        const tlsCert = b.rpcCertPath ? await readFile(b.rpcCertPath, 'utf8') : undefined;
        chain = new Chain(
          {
            backend: b.backend,
            url: b.rpcUrl,
            user: b.rpcUser,
            pass: b.rpcPass,
            ...(tlsCert ? { tlsCert } : {}),
          },
          new Faucet(b.faucetSeed ?? 'native').address,
        );
      }
      return chain;
    },
    stop: (name) => stopNetworkNode(need().stateDir, name, systemClock),
    start: (name) => startNetworkNode(need().stateDir, nodeByName(need().net, name), systemClock),
  };
}

/**
 * Hands each test file the network as if new: files before it stopped nodes,
 * took sellers offline and failed payments on purpose, and LND's mission
 * control would remember those failures for an hour and route around (or
 * refuse) a seller that is fine again. So: forget them, and wait until every
 * channel is active and no HTLC is in flight. Bounded: 60 s.
 */
async function freshen(net: NetworkDesc): Promise<void> {
  const nodes = await Promise.all(net.nodes.map((d) => LndNode.fromFiles(d, { clock: systemClock })));
  try {
    const admins = nodes.map((n) => new LndAdmin(n.rest));
    await Promise.all(admins.map((a) => a.rest.call('POST', '/v2/router/mc/reset', {})));
    const until = systemClock.now() + 60_000;
    for (;;) {
      const views = await Promise.all(admins.map((a) => a.channels()));
      const busy = views.flatMap((chans, i) =>
        chans
          .filter((c) => !c.active || c.pending_htlcs.length > 0)
          .map((c) => `${net.nodes[i]!.name}:${c.channel_point}`),
      );
      if (busy.length === 0) return;
      if (systemClock.now() > until)
        throw new Error(
          `regtest network not settled after 60 s: inactive or busy channels ${busy.join(', ')}`,
        );
      await systemClock.sleep(200);
    }
  } finally {
    await Promise.all(nodes.map((n) => n.close()));
  }
}
