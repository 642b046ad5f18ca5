/**
 * The market's registry (sim/market/registry.ts) in the embedded world's
 * in-memory HTTP on a virtual clock: its calls are timed on market time, and
 * a search the registry cannot answer is an error the buyer stops on as
 * `registry_unavailable`, not an empty list it stops on as `no_sellers`.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../infra/random.js';
import { silentLogger } from '../../infra/log.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { InMemoryHttp } from '../../sim/market/http.js';
import { openRegistry } from '../../sim/market/registry.js';
import type { World } from '../../sim/market/world.js';

/** The parts of the embedded world the registry uses, its answers `delayMs` of market time late. */
function worldAnsweringLate(clock: VirtualClock, delayMs: number): World {
  const http = new InMemoryHttp();
  const parts: Pick<World, 'serve' | 'fetch'> = {
    serve: async (host, handler) =>
      http.serve(host, async (req) => {
        await clock.sleep(delayMs);
        return handler(req);
      }),
    fetch: http.fetch,
  };
  return parts as World;
}

describe('the market registry on market time', () => {
  it('a search answered after 20 s of market time fails at 10 s of it, as registry_unavailable naming the timeout', async () => {
    const clock = new VirtualClock(0);
    const registry = await openRegistry(
      worldAnsweringLate(clock, 20_000),
      clock,
      10,
      silentLogger,
      createRng(1),
    );
    let failedAtMs: number | undefined;
    const search = registry.search({ capability: 'anomalies:read' }).catch((err: unknown) => {
      failedAtMs = clock.now();
      return err;
    });
    await clock.runUntilIdle();
    const err = await search;
    expect(err).toMatchObject({
      name: 'LabError',
      code: 'registry_unavailable',
      message: 'registry search failed: timeout: registry did not answer within 10000 ms; retry later',
    });
    expect(failedAtMs).toBe(10_000);
  });
});
