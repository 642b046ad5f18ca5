import { describe, expect, it } from 'vitest';
import { LabError } from '../../infra/errors.js';
import { connectRedis, parseQueueUrl } from '../../sim/sweep/queue-connection.js';
import { sweepCommand } from '../../sim/commands/sweep-command.js';
import type { CommandIo } from '../../sim/commands/io.js';
import { workerCommand } from '../../sim/commands/worker-command.js';
import { freePort, redisSuite, startRedis } from './queue-harness.js';
import { createServer, type AddressInfo, type Socket } from 'node:net';

describe('the --queue URL', () => {
  it('takes host, port, user, password, database and TLS, and shows it without the password', () => {
    const t = parseQueueUrl('rediss://sweeper:s%40cret@10.0.0.5:6380/2');
    expect(t.shown).toBe('rediss://sweeper@10.0.0.5:6380/2');
    expect(t.options).toEqual({
      host: '10.0.0.5',
      port: 6380,
      username: 'sweeper',
      password: 's@cret',
      db: 2,
      tls: {},
      connectTimeout: 5000,
      commandTimeout: 15000,
    });
    expect(parseQueueUrl('redis://localhost').options).toMatchObject({
      host: 'localhost',
      port: 6379,
      db: 0,
    });
  });

  it.each([
    ['localhost:6379', ''],
    ['http://localhost:6379', ''],
    ['redis://localhost:6379/x', ': the database after "/" must be a number'],
    ['redis://localhost:6379?db=2', ': no query or fragment'],
  ])('refuses %s, saying what it expects', (url, why) => {
    const err = (() => {
      try {
        parseQueueUrl(url);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(LabError);
    expect(err).toMatchObject({
      code: 'bad_queue_url',
      message: `--queue expects redis://[user:password@]host:port[/db] (rediss:// for TLS), got "${url}"${why}`,
    });
  });
});

describe('a --queue password or user name that is not percent-encoded', () => {
  it.each([
    ['redis://user:p%zz@127.0.0.1:6399', 'password'],
    ['redis://us%er:pw@127.0.0.1:6399/2', 'user name'],
  ])(
    'refuses %s as a bad_queue_url saying how to encode a percent sign in the %s, without showing the password',
    (url, what) => {
      const shown = url.replace(/:[^:@/]*@/, '@');
      expect(() => parseQueueUrl(url)).toThrow(
        expect.objectContaining({
          code: 'bad_queue_url',
          message:
            `--queue expects redis://[user:password@]host:port[/db] (rediss:// for TLS), got "${shown}": ` +
            `the ${what} has a "%" that is not followed by two hex digits; write a "%" in it as %25 (and other special characters percent-encoded)`,
        }),
      );
    },
  );
});

redisSuite('a --queue database the server does not have', () => {
  it('is refused with what to do instead of silently using database 0', async () => {
    const redis = await startRedis();
    try {
      const url = `redis://127.0.0.1:${redis.port}/99`;
      const err = await connectRedis(parseQueueUrl(url)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect(err).toMatchObject({
        code: 'bad_queue_url',
        message:
          `${url}: Redis refused database 99 (ERR DB index is out of range); ` +
          'pick one the server has after the "/" in --queue (0 up to its "databases" setting − 1, 0 to 15 by default)',
      });
      expect(await redis.client(0).dbsize()).toBe(0);
      const ok = await connectRedis(parseQueueUrl(`redis://127.0.0.1:${redis.port}/15`));
      expect(await ok.set('k', 'v')).toBe('OK');
      expect(await redis.client(15).get('k')).toBe('v');
      ok.disconnect();
    } finally {
      await redis.stop();
    }
  }, 30_000);
});

describe('sim worker options', () => {
  const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };
  it.each([
    ['--lock-sec', '3000000', 'an integer from 1 to 86400'],
    ['--lock-sec', '86401', 'an integer from 1 to 86400'],
    ['--concurrency', '257', 'an integer from 1 to 256'],
    ['--concurrency', '0', 'an integer from 1 to 256'],
  ])('refuses %s %s as a usage error giving the range, before connecting', async (flag, value, range) => {
    const argv = ['--queue', 'redis://127.0.0.1:1', flag, value];
    await expect(workerCommand(argv, io)).rejects.toMatchObject({
      code: 'usage',
      message: `${flag} expects ${range}, got "${value}"`,
    });
  });
});

describe('connecting', () => {
  it('fails fast with what to do when nothing listens at the address', async () => {
    const port = await freePort();
    const err = await connectRedis(parseQueueUrl(`redis://127.0.0.1:${port}`)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).code).toBe('redis_unreachable');
    expect((err as LabError).message).toBe(
      `cannot reach Redis at redis://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}. ` +
        'Start one (redis-server --port 6379) or pass the address of a running one to --queue; ' +
        'every coordinator and worker must reach the same Redis.',
    );
  });
});

describe('connecting to something that is not Redis', () => {
  it('says the address does not speak the Redis protocol, not the parser\'s "Please report this"', async () => {
    // What an HTTP server sends back to a Redis command, kept open so the reply is read whole.
    const sockets: Socket[] = [];
    const server = createServer((socket) => {
      sockets.push(socket);
      socket.once('data', () => socket.write('<html>bad request</html>'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      const err = await connectRedis(parseQueueUrl(`redis://127.0.0.1:${port}`)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(LabError);
      expect(err).toMatchObject({
        code: 'not_redis',
        message:
          `redis://127.0.0.1:${port} does not speak the Redis protocol (it answered with something else); ` +
          'check --queue: it must be the address of a Redis server (rediss:// if that server expects TLS).',
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });
});

describe('sim sweep --queue', () => {
  const io: CommandIo = { out: () => {}, err: () => {}, interactive: false, now: () => new Date(0) };

  it('refuses --workers beside it, pointing at the workers’ --concurrency', async () => {
    const argv = [
      'quickstart',
      '--grid',
      'durationSec=10',
      '--queue',
      'redis://127.0.0.1:1',
      '--workers',
      '2',
    ];
    await expect(sweepCommand(argv, io)).rejects.toMatchObject({
      code: 'usage',
      message:
        '--workers sets local threads; with --queue the runs go to `sim worker` processes (set their --concurrency)',
    });
  });

  it('stops at once on an unreachable Redis, before any run', async () => {
    const port = await freePort();
    const argv = ['quickstart', '--grid', 'durationSec=10', '--queue', `redis://127.0.0.1:${port}`];
    await expect(sweepCommand(argv, io)).rejects.toMatchObject({ code: 'redis_unreachable' });
  });
});
