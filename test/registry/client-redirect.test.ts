import { afterEach, describe, expect, it } from 'vitest';
import type { Listening } from '../../services/http/listen.js';
import { listen } from '../../services/http/listen.js';
import { RegistryClient } from '../../services/registry/client.js';
import { nodeSigner } from '../../services/registry/index.js';
import { makeMarket } from './helpers.js';

const servers: Listening[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function onSocket(fetch: (req: Request) => Response | Promise<Response>): Promise<Listening> {
  const server = await listen(fetch);
  servers.push(server);
  return server;
}

describe('the registry client on real sockets does not follow a redirect', () => {
  it('a search answered 302 and a signed registration answered 307 fail as redirect, naming the target; the target gets no request', async () => {
    const hits: string[] = [];
    const target = await onSocket(async (req) => {
      hits.push(`${req.method} ${new URL(req.url).pathname} ${await req.text()}`.trim());
      return Response.json({ listings: [] });
    });
    const redirector = await onSocket((req) => {
      const path = new URL(req.url).pathname;
      return Response.redirect(`${target.url}${path}`, req.method === 'GET' ? 302 : 307);
    });
    const m = await makeMarket();
    const seller = await m.addSeller('shop.test', { archetype: 'data-feed' });
    const client = new RegistryClient({ baseUrl: redirector.url, fetch: globalThis.fetch, clock: m.clock });
    const advice = "redirects are not followed: point the client at the registry's final URL";

    const search = await client.search({ capability: 'x' });
    const register = await client.register(
      seller.listing('http://shop.test/v1/x'),
      await nodeSigner(m.seller),
    );

    expect(search).toEqual({
      ok: false,
      status: 302,
      code: 'redirect',
      message: `registry answered 302 (redirect to ${target.url}/listings); ${advice}`,
    });
    expect(register).toEqual({
      ok: false,
      status: 307,
      code: 'redirect',
      message: `registry answered 307 (redirect to ${target.url}/listings); ${advice}`,
    });
    expect(hits).toEqual([]);
  });
});
