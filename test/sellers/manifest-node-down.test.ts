/**
 * The manifest is unauthenticated: when the seller's node does not answer, the
 * answer says so in fixed words, and the node's own error (its address, its
 * files) goes to the seller's log only.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { LndNode } from '../../infra/lightning/lnd/index.js';
import { Hono } from 'hono';
import { MANIFEST_PATH, manifestHandler } from '../../services/paywall/index.js';
import { json } from '../paywall/helpers.js';

describe('the manifest handler of a seller whose node is down', () => {
  it("answers 503 node_unavailable without the node's error, which goes to the seller's log", async () => {
    const logs: Array<{ msg: string; err?: { message: string } }> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    // Nothing listens on port 1: every call to this node is refused at once (no retry).
    const node = new LndNode({
      connection: {
        restUrl: 'https://127.0.0.1:1',
        tlsCert: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
        macaroon: 'ab'.repeat(16),
      },
      retry: { maxWaitMs: 0 },
    });
    try {
      const app = new Hono();
      const spec = { providerName: 'feed', services: [] };
      app.get(
        MANIFEST_PATH,
        manifestHandler(spec, node, () => 'https://shop.example', logger),
      );
      const res = await app.request(MANIFEST_PATH);
      expect({ status: res.status, body: await json(res) }).toEqual({
        status: 503,
        body: {
          error: 'node_unavailable',
          message: "the seller's Lightning node is not answering; retry later",
        },
      });
      const logged = logs.filter((l) => l.msg === 'manifest: the node did not give its info');
      expect(logged).toHaveLength(1);
      expect(logged[0]!.err!.message).toContain('127.0.0.1:1');
    } finally {
      await node.close();
    }
  });
});
