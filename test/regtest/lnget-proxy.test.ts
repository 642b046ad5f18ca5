import { describe, expect, it } from 'vitest';
import { classifyProxyFailure } from './support/lnget.js';

/** `go mod download -json` output as Go prints it when the proxy answers with an error. */
const json = (error: string): string =>
  JSON.stringify({ Path: 'github.com/lightninglabs/lnget', Version: 'v1.1.0', Error: error });
const reading =
  'github.com/lightninglabs/lnget@v1.1.0: reading https://proxy.golang.org/github.com/lightninglabs/lnget/@v/v1.1.0.info';

describe('lnget: only a registry refusal counts as external', () => {
  it.each([
    ['403 Forbidden', `${reading}: 403 Forbidden\n\tserver response: This module version is not available.`],
    ['410 Gone', `${reading}: 410 Gone\n\tserver response: not found: unknown revision v1.1.0`],
  ])('a proxy answering %s is a refusal', (_status, error) => {
    expect(classifyProxyFailure(json(error), 'exit status 1')).toEqual({
      kind: 'refused',
      reason: error.replace(/\s+/g, ' '),
    });
  });

  it.each([
    ['a 404', `${reading}: 404 Not Found`],
    ['a 500', `${reading}: 500 Internal Server Error`],
    [
      'an unreachable proxy',
      `${reading}: Get "https://proxy.golang.org/github.com/lightninglabs/lnget/@v/v1.1.0.info": dial tcp: lookup proxy.golang.org: no such host`,
    ],
    [
      'a checksum mismatch',
      'verifying github.com/lightninglabs/lnget@v1.1.0: checksum mismatch\n\tdownloaded: h1:aaa\n\tsum.golang.org: h1:bbb',
    ],
    ['a 403 from somewhere other than the registry read', 'go: 403 Forbidden while writing the module cache'],
  ])('%s is a failure, not external', (_name, error) => {
    expect(classifyProxyFailure(json(error), 'exit status 1')).toEqual({
      kind: 'failed',
      reason: error.replace(/\s+/g, ' '),
    });
  });

  it('a download killed by its timeout (no JSON at all) is a failure carrying the error message', () => {
    expect(classifyProxyFailure('', 'Command failed: go mod download (killed by SIGTERM)')).toEqual({
      kind: 'failed',
      reason: 'Command failed: go mod download (killed by SIGTERM)',
    });
  });
});
