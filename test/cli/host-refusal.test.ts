/**
 * A --host that cannot be bound is one line naming the flag, why, and what to
 * pass instead (`hostRefusal`), not getaddrinfo's own words; exit 1.
 */
import { describe, expect, it } from 'vitest';
import { hostRefusal, listenRefusal } from '../../services/http/host-refusal.js';
import { listen } from '../../services/http/listen.js';
import { runCli } from './run-cli.js';

const WHAT_TO_DO =
  'pass --host an address of this machine: 127.0.0.1 or ::1 (this machine only), 0.0.0.0 or :: (every interface)';

/** What `listen` rejects with on `hostname`. */
async function listenError(hostname: string): Promise<unknown> {
  try {
    const l = await listen(() => new Response(''), { port: 0, hostname });
    await l.close();
  } catch (err) {
    return err;
  }
  throw new Error(`listening on ${hostname} worked`);
}

describe('hostRefusal', () => {
  it('words a host that is no address (::zz), from the error listen gives', async () => {
    expect(hostRefusal(await listenError('::zz'), '::zz')).toBe(
      `--host ::zz cannot be bound: no such address; ${WHAT_TO_DO}`,
    );
  });

  it('words an address that is not this machine’s (192.0.2.1, a documentation address)', async () => {
    expect(hostRefusal(await listenError('192.0.2.1'), '192.0.2.1')).toBe(
      `--host 192.0.2.1 cannot be bound: not an address of this machine; ${WHAT_TO_DO}`,
    );
  });

  it('leaves a taken port to portRefusal, and errors about another host alone', () => {
    const inUse = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE', syscall: 'listen' });
    expect(hostRefusal(inUse, '127.0.0.1')).toBeUndefined();
    expect(listenRefusal(inUse, 7402, '127.0.0.1')).toBe(
      'port 7402 is in use; pass --port N (or --port 0 for a free one)',
    );
    const other = Object.assign(new Error('getaddrinfo ENOTFOUND x.test'), {
      code: 'ENOTFOUND',
      syscall: 'getaddrinfo',
      hostname: 'x.test',
    });
    expect(hostRefusal(other, '127.0.0.1')).toBeUndefined();
  });
});

describe('the registry CLI with a --host it cannot bind', () => {
  it('says "--host ::zz cannot be bound: no such address" and what to pass, on stderr, exit 1', async () => {
    const r = await runCli('services/registry/cli.ts', [
      '--host',
      '::zz',
      '--port',
      '0',
      '--probe-interval-ms',
      '0',
    ]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `--host ::zz cannot be bound: no such address; ${WHAT_TO_DO}\n`,
    });
  });
});

describe('the seller CLI with a --host it cannot bind', () => {
  it('says "--host ::zz cannot be bound: no such address" and what to pass, on stderr, exit 1', async () => {
    const r = await runCli('services/sellers/cli.ts', [
      '--archetype',
      'data-feed',
      '--host',
      '::zz',
      '--port',
      '0',
    ]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({
      code: 1,
      stderr: `--host ::zz cannot be bound: no such address; ${WHAT_TO_DO}\n`,
    });
  });
});
