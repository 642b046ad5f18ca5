import { Hono } from 'hono';
import type { Context, MiddlewareHandler } from 'hono';
import type { LightningNode } from '../../infra/lightning/node.js';
import type { Logger } from '../../infra/log.js';
import type { Clock } from '../../infra/time/clock.js';
import type { Rng } from '../../infra/random.js';
import { refuseOtherMethods } from '../http/method-not-allowed.js';
import type { ManifestSpec } from '../paywall/index.js';
import { MANIFEST_PATH, manifestHandler, markNotRun } from '../paywall/index.js';
import type { Archetype } from './archetype.js';
import { drawLatencyMs, type CapacityGate } from './behaviour.js';
import type { LatencySpec, SellerConfig } from './config.js';

/**
 * A step run on each paid call the paywall accepted, before the work (an intermediary buying the
 * inputs it serves from). A refusal (non-2xx) it returns answers the call instead and marks it not
 * run: the paywall gives the call back uncounted, or cancels its hold.
 */
export type BeforeWork = () => Promise<Response | undefined>;

/** What the paid route does behind the paywall and the capacity gate. */
export interface WorkDeps {
  config: SellerConfig;
  name: string;
  archetype: Archetype;
  clock: Clock;
  latency: LatencySpec;
  latencyRng: Rng;
  failureRng: Rng;
  beforeWork?: BeforeWork;
}

/** The paid work: `beforeWork`, then the drawn latency (plus a slow seller's delay), a drawn failure, an adversary's non-delivery, or the archetype's answer. */
export function sellerWork({
  config,
  name,
  archetype,
  clock,
  latency,
  latencyRng,
  failureRng,
  beforeWork,
}: WorkDeps) {
  const adv = config.adversarial;
  return async (c: Context): Promise<Response> => {
    const refused = await beforeWork?.();
    if (refused) {
      markNotRun(c);
      return refused;
    }
    await clock.sleep(drawLatencyMs(latency, latencyRng) + (adv?.mode === 'slow' ? adv.delayMs : 0));
    if (config.failureRate > 0 && failureRng.next() < config.failureRate)
      return c.json({ error: 'service_failed', message: `${name} failed to serve this call` }, 500);
    if (adv?.mode === 'no-delivery')
      return adv.answer === 'empty'
        ? c.body(null, 200)
        : c.json({ error: 'internal', message: 'try again later' }, 500);
    return archetype.handle(c);
  };
}

/** What the seller's Hono app wires together. */
export interface AppParts {
  config: SellerConfig;
  name: string;
  archetype: Archetype;
  logger: Logger;
  node: LightningNode;
  manifestSpec: ManifestSpec;
  /** Where buyers reach the seller, the manifest's provider uri (`SellerDeps.publicOrigin`). */
  publicOrigin?: () => string;
  gate: CapacityGate;
  paywall: MiddlewareHandler;
  work: (c: Context) => Promise<Response>;
}

/** The seller's routes: its index, the manifest, the paid route (and a GET quote for POST routes), JSON 404 and 500. */
export function sellerApp({
  config,
  name,
  archetype,
  logger,
  node,
  manifestSpec,
  publicOrigin,
  gate,
  paywall,
  work,
}: AppParts): Hono {
  const app = new Hono();
  app.get('/', (c) =>
    c.json({
      name,
      archetype: config.archetype,
      resource: `${archetype.method} ${archetype.path}`,
      manifest: MANIFEST_PATH,
    }),
  );
  // The manifest names the advertised node even for a wrong-payee seller: that is the lie a buyer must catch.
  app.get(MANIFEST_PATH, manifestHandler(manifestSpec, node, publicOrigin, logger));
  if (archetype.method === 'POST') {
    // A GET without a token is a quote (402 challenge), so probes and buyers can read the price without a body.
    app.get(
      archetype.path,
      async (c, next) =>
        c.req.header('authorization') === undefined
          ? next()
          : c.json(
              {
                error: 'method_not_allowed',
                message: `GET ${archetype.path} with a token is not allowed; send the token with POST (a GET without one is a quote)`,
              },
              405,
              { Allow: 'GET, HEAD, POST' },
            ),
      gate.refuseWhenFull,
      paywall,
    );
  }
  app.on(archetype.method, archetype.path, gate.refuseWhenFull, paywall, gate.middleware, work);
  refuseOtherMethods(app, [
    ['/', 'GET, HEAD'],
    [MANIFEST_PATH, 'GET, HEAD'],
    [archetype.path, archetype.method === 'POST' ? 'GET, HEAD, POST' : 'GET, HEAD'],
  ]);
  app.notFound((c) => c.json({ error: 'not_found', message: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    logger.error({ err, path: c.req.path }, 'seller handler failed');
    return c.json({ error: 'internal', message: 'the seller failed to handle this request' }, 500);
  });
  return app;
}
