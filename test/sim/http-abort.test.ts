import { describe, expect, it } from 'vitest';
import { InMemoryHttp } from '../../sim/market/http.js';

/** A host whose handler hands the test its request and answers only when told to. */
function heldHost() {
  const http = new InMemoryHttp();
  let answer: () => void = () => undefined;
  let seen: (r: Request) => void = () => undefined;
  const request = new Promise<Request>((resolve) => (seen = resolve));
  http.serve('held.sim', (req) => {
    seen(req);
    return new Promise<Response>((resolve) => (answer = () => resolve(new Response('late'))));
  });
  return { http, request, answer: () => answer() };
}

/** What `fetch` gave the caller: the status, or the rejection's message. */
const outcome = (p: Promise<Response>) =>
  p.then(
    (res) => res.status,
    (err: Error) => `rejected: ${err.message}`,
  );

describe('InMemoryHttp.fetch: the caller giving up reaches the handler, as on a node server', () => {
  it.each([
    ['a URL with a plain init (a light request)', { method: 'GET' }],
    ['a URL with a body (a real Request)', { method: 'POST', body: 'x' }],
  ])(
    'over %s: the handler still running when the caller aborts sees request.signal.aborted, and the caller gets the reason',
    async (_what, init) => {
      const { http, request, answer } = heldHost();
      const abort = new AbortController();
      const pending = outcome(http.fetch('http://held.sim/x', { ...init, signal: abort.signal }));
      const req = await request;
      const before = req.signal.aborted;
      abort.abort(new Error('caller timed out'));
      answer();

      expect([before, req.signal.aborted, await pending]).toEqual([
        false,
        true,
        'rejected: caller timed out',
      ]);
    },
  );

  it("fetch(request) rejects with the reason when the Request's own signal aborts, and its handler sees it aborted", async () => {
    const { http, request, answer } = heldHost();
    const abort = new AbortController();
    const pending = outcome(http.fetch(new Request('http://held.sim/x', { signal: abort.signal })));
    const req = await request;
    abort.abort(new Error('caller timed out'));
    answer();

    expect([req.signal.aborted, await pending]).toEqual([true, 'rejected: caller timed out']);
  });

  it('a caller without a signal gets the answer, and its handler a request signal that is not aborted', async () => {
    const { http, request, answer } = heldHost();
    const pending = outcome(http.fetch('http://held.sim/x'));
    const req = await request;
    answer();

    expect([req.signal.aborted, await pending]).toEqual([false, 200]);
  });
});
