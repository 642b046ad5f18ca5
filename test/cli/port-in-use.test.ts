/**
 * A port that is taken is one line naming it and what to pass instead, worded
 * the same by every command that takes --port (`portRefusal`), and exit 1.
 */
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { portRefusal } from '../../services/http/port-refusal.js';
import { runCli } from './run-cli.js';

let occupier: Server;
let port: number;
beforeAll(async () => {
  occupier = createServer();
  await new Promise<void>((resolve) => occupier.listen(0, '127.0.0.1', resolve));
  port = (occupier.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => occupier.close(() => resolve())));

describe('a --port that is in use', () => {
  it.concurrent.each([
    ['seller', 'services/sellers/cli.ts', ['--archetype', 'compute']],
    ['registry', 'services/registry/cli.ts', ['--probe-interval-ms', '0']],
  ])('the %s CLI says the port is in use and what to pass, on stderr, exit 1', async (_, script, args) => {
    const r = await runCli(script, [...args, '--port', String(port)]);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: `port ${port} is in use; pass --port N (or --port 0 for a free one)\n`,
    });
  });
});

describe('portRefusal', () => {
  it('words a taken or forbidden port, points at the registry for 8402, and leaves other errors alone', () => {
    const err = (code: string) => Object.assign(new Error(`listen ${code}`), { code });
    expect(portRefusal(err('EADDRINUSE'), 7402)).toBe(
      'port 7402 is in use; pass --port N (or --port 0 for a free one)',
    );
    expect(portRefusal(err('EADDRINUSE'), 8402)).toBe(
      'port 8402 is in use; pass --port N (or --port 0 for a free one) (npm run registry listens on 8402 too by default)',
    );
    expect(portRefusal(err('EACCES'), 80)).toBe(
      'not allowed to listen on port 80; pass --port N (or --port 0 for a free one)',
    );
    expect(portRefusal(err('ENOTFOUND'), 7402)).toBeUndefined();
    expect(portRefusal('not an error', 7402)).toBeUndefined();
  });
});
