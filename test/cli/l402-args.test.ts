/**
 * `npm run l402 -- fetch` refuses `--data` with `--method GET` or `HEAD` as bad usage, before
 * anything loads or connects: such a request cannot carry the body. It was taken, and the
 * purchase failed only after connecting to LND, as `bad_request` (exit 1).
 */
import { describe, expect, it } from 'vitest';
import { l402Args, type FetchArgs } from '../../agents/cli-args.js';
import { runCli } from './run-cli.js';

const URL = 'http://127.0.0.1:9/v1/data';
const refusal = (method: string) =>
  `--data cannot go with --method ${method}: a ${method.toUpperCase()} request has no body; ` +
  'drop --method to send --data as a POST, or drop --data; run with --help for the options';

describe('l402 fetch --data with --method', () => {
  it('refuses --method GET, HEAD or get with --data as a usage error saying what to do; takes PUT, and --data alone as a POST', () => {
    for (const method of ['GET', 'HEAD', 'get'])
      expect(() => l402Args(['fetch', URL, '--method', method, '--data', 'x'])).toThrow(
        expect.objectContaining({ code: 'usage', message: refusal(method) }),
      );
    const pick = (a: FetchArgs | 'help') => (a === 'help' ? a : [a.method, a.data]);
    expect(pick(l402Args(['fetch', URL, '--method', 'PUT', '--data', 'x']))).toEqual(['PUT', 'x']);
    expect(pick(l402Args(['fetch', URL, '--data', 'x']))).toEqual(['POST', 'x']);
  });

  it('the CLI prints the one line and exits 2 before reading --network (a missing file would exit 1)', async () => {
    const r = await runCli('agents/cli.ts', [
      'fetch',
      URL,
      '--network',
      '/nonexistent/network.json',
      '--method',
      'GET',
      '--data',
      'x',
    ]);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `${refusal('GET')}\n` });
  });
});
