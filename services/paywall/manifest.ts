import type { Handler } from 'hono';
import type { LightningNode } from '../../infra/lightning/node.js';
import { silentLogger, type Logger } from '../../infra/log.js';

/** Where the L402 discovery manifest is served. */
export const MANIFEST_PATH = '/.well-known/l402.json';

/** Manifest format version we write. */
export const MANIFEST_VERSION = '0.1';

/** One tier as the manifest spells it (snake_case, as the discovery document does). */
export interface ManifestTier {
  tier: number;
  name: string;
  kind: 'single' | 'bundle' | 'pass';
  calls?: number;
  duration_sec?: number;
  price_msat: number;
}

/** One paid service of the provider. */
export interface ManifestService {
  name: string;
  description: string;
  /** Where to call it, relative to the provider uri (our addition; readers may ignore it). */
  path?: string;
  method?: string;
  tiers: ManifestTier[];
  capabilities: string[];
  /** `price_msat` is the entry price (cheapest tier); dynamic prices quote it as the base. */
  pricing: { model: 'fixed' | 'dynamic' | 'formula'; price_msat: number };
}

/** A caveat the provider understands and how a holder may narrow it. */
export interface ManifestCaveat {
  condition: string;
  description: string;
  attenuation: 'subset' | 'decreasing' | 'earlier';
}

/** The `/.well-known/l402.json` document. */
export interface L402Manifest {
  version: string;
  provider: { name: string; uri: string; node_pubkey: string };
  services: ManifestService[];
  caveats: ManifestCaveat[];
}

/** What a seller knows about itself; the node pubkey and URI are filled in when served. */
export interface ManifestSpec {
  providerName: string;
  services: ManifestService[];
}

/** The caveat vocabulary this paywall enforces for `service`, with its attenuation rule. */
export function caveatVocabulary(service: string): ManifestCaveat[] {
  return [
    {
      condition: 'services',
      description: 'services and tiers the token opens (name:tier,…)',
      attenuation: 'subset',
    },
    {
      condition: `${service}_capabilities`,
      description: 'capabilities allowed (absent: all)',
      attenuation: 'subset',
    },
    { condition: `${service}_valid_until`, description: 'expiry, unix seconds', attenuation: 'earlier' },
    {
      condition: `${service}_max_calls`,
      description: "calls allowed; every copy shares its parent's count",
      attenuation: 'decreasing',
    },
    { condition: `${service}_methods`, description: 'HTTP methods allowed', attenuation: 'subset' },
    {
      condition: `${service}_path_prefix`,
      description: 'request path prefix allowed (whole segments)',
      attenuation: 'subset',
    },
  ];
}

/** Builds the manifest document. */
export function buildManifest(spec: ManifestSpec, nodePubkey: string, uri: string): L402Manifest {
  const caveats = new Map<string, ManifestCaveat>();
  for (const s of spec.services) for (const cv of caveatVocabulary(s.name)) caveats.set(cv.condition, cv);
  return {
    version: MANIFEST_VERSION,
    provider: { name: spec.providerName, uri, node_pubkey: nodePubkey },
    services: spec.services,
    caveats: [...caveats.values()],
  };
}

/**
 * A Hono handler serving the manifest at `MANIFEST_PATH`. The node's pubkey is
 * asked once (lazily, so building an app needs no await). The provider uri is
 * `publicOrigin()`, read per request: a server on a socket must give it, since
 * the request's Host header is the client's to choose (and the answer is
 * cached). Only an app without one (in memory, where the caller wrote the
 * request's URL) names the request's origin. A node that fails is answered
 * 503 `node_unavailable` with a fixed message; its error goes to `logger`.
 */
export function manifestHandler(
  spec: ManifestSpec,
  node: LightningNode,
  publicOrigin?: () => string,
  logger: Logger = silentLogger,
): Handler {
  let pubkey: Promise<string> | undefined;
  return async function l402Manifest(c) {
    pubkey ??= node.info().then((i) => i.pubkey);
    let key: string;
    try {
      key = await pubkey;
    } catch (err) {
      pubkey = undefined;
      // The node's own error names its address and files: the seller's log, never the (unauthenticated) answer.
      logger.warn({ err }, 'manifest: the node did not give its info');
      return c.json(
        { error: 'node_unavailable', message: "the seller's Lightning node is not answering; retry later" },
        503,
      );
    }
    const uri = new URL(publicOrigin ? publicOrigin() : c.req.url).origin;
    return c.json(buildManifest(spec, key, uri), 200, {
      'Cache-Control': 'max-age=60',
    });
  };
}
