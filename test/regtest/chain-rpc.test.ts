/**
 * The bitcoin node's JSON-RPC client against a local HTTP server standing in
 * for bitcoind: a node that takes the call and never answers times out, an
 * oversized answer is not read, and HTTP 401 names the credentials.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { Chain } from '../../infra/regtest/chain.js';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const servers: Server[] = [];
afterAll(async () => {
  for (const s of servers) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

/** A bitcoind stand-in on a free loopback port answering with `handler`; its RPC client, with small limits. */
async function chainAgainst(handler: Handler): Promise<Chain> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const limits = { callTimeoutMs: 300, mineTimeoutMs: 600, maxBodyBytes: 1024 };
  return new Chain({ backend: 'bitcoind', url, user: 'u', pass: 'p', limits }, 'bcrt1qfaucet');
}

describe('bitcoin JSON-RPC client limits', () => {
  it('a node that takes the call and never answers is a timeout naming the call, within the limit', async () => {
    const chain = await chainAgainst(() => undefined);
    const started = Date.now();
    await expect(chain.height()).rejects.toThrow(
      expect.objectContaining({
        code: 'timeout',
        message: expect.stringMatching(
          /^bitcoind at http:\/\/127\.0\.0\.1:\d+ did not answer getblockcount within 0\.3 s; /,
        ),
      }),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    await chain.close();
  });

  it('mining gets its own, longer limit', async () => {
    const chain = await chainAgainst(() => undefined);
    await expect(chain.mine(1)).rejects.toThrow(
      expect.objectContaining({
        code: 'timeout',
        message: expect.stringContaining('generatetoaddress within 0.6 s'),
      }),
    );
    await chain.close();
  });

  it('an answer that stops halfway is a timeout too', async () => {
    const chain = await chainAgainst((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"result": ');
    });
    await expect(chain.height()).rejects.toThrow(expect.objectContaining({ code: 'timeout' }));
    await chain.close();
  });

  it('an answer over maxBodyBytes is not read', async () => {
    const chain = await chainAgainst((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: 'x'.repeat(4096), error: null }));
    });
    await expect(chain.height()).rejects.toThrow(
      expect.objectContaining({
        code: 'bad_response',
        message: expect.stringMatching(
          /^bitcoind getblockcount: the answer is over 1024 bytes; it was not read\. /,
        ),
      }),
    );
    await chain.close();
  });

  it('HTTP 401 says the RPC user or password is wrong', async () => {
    const chain = await chainAgainst((_req, res) => {
      res.writeHead(401);
      res.end();
    });
    await expect(chain.height()).rejects.toThrow(
      expect.objectContaining({
        code: 'unauthorized',
        message: expect.stringMatching(/refused getblockcount \(HTTP 401\): wrong RPC user or password$/),
      }),
    );
    await chain.close();
  });

  it('an ordinary answer still reads', async () => {
    const chain = await chainAgainst((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: 432, error: null, id: 1 }));
    });
    expect(await chain.height()).toBe(432);
    await chain.close();
  });
});
