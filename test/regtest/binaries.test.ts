import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { existingBinary, parseReplaces } from '../../infra/regtest/binaries.js';
import { LND } from '../../infra/regtest/go-targets.js';

describe('the Go builder', () => {
  it('copies versioned replace directives (block and single-line) and drops local-path ones', () => {
    const goMod = [
      'module github.com/example/app',
      '',
      'go 1.24.9',
      '',
      'require github.com/a/b v1.0.0',
      '',
      '// a comment mentioning replace x => y v1',
      'replace github.com/ulikunitz/xz => github.com/ulikunitz/xz v0.5.11',
      '',
      'replace (',
      '\tgoogle.golang.org/protobuf => github.com/lightninglabs/protobuf-go-hex-display v1.33.0-hex-display // why',
      '\tgithub.com/example/app/sub => ./sub',
      '\tgithub.com/x/y v1.2.3 => github.com/x/y v1.2.4',
      ')',
      '',
      'replace github.com/local/thing => ../thing',
    ].join('\n');
    expect(parseReplaces(goMod)).toEqual([
      'google.golang.org/protobuf => github.com/lightninglabs/protobuf-go-hex-display v1.33.0-hex-display',
      'github.com/x/y v1.2.3 => github.com/x/y v1.2.4',
      'github.com/ulikunitz/xz => github.com/ulikunitz/xz v0.5.11',
    ]);
  });

  it('reports no binary for an empty cache, so the builder will build it', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'l402-cache-'));
    try {
      expect(await existingBinary(LND, cache)).toBeUndefined();
    } finally {
      await rm(cache, { recursive: true, force: true });
    }
  });

  it('pins lnd with the RPC sub-servers hold invoices and routing need', () => {
    expect(LND).toMatchObject({ version: 'v0.20.0-beta', how: 'wrapper' });
    expect(LND.tags).toEqual(
      expect.arrayContaining(['invoicesrpc', 'routerrpc', 'signrpc', 'walletrpc', 'chainrpc', 'peersrpc']),
    );
  });
});
