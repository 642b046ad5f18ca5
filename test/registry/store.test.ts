import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JsonFileRegistryStore,
  Registry,
  nodeSigner,
  signRating,
  type RegistryData,
} from '../../services/registry/index.js';
import { buy, inMemory } from '../paywall/helpers.js';
import { makeMarket } from './helpers.js';
import { LabError } from '../../infra/errors.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
/** A listing as a snapshot holds it. */
const STORED = {
  id: 'ab'.repeat(16),
  name: 'shop',
  url: 'http://shop.test/v1/data',
  category: 'data',
  capabilities: ['data:read'],
  tiers: [{ tier: 0, name: 'one call', kind: 'single', calls: 1, priceMsat: 10_000 }],
  nodePubkey: `02${'cd'.repeat(32)}`,
  createdAt: 0,
  updatedAt: 0,
  signedAt: 0,
};

async function tempFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'l402-registry-'));
  dirs.push(dir);
  return join(dir, 'sub', 'registry.json');
}

describe('durable JSON-file store', () => {
  it('keeps listings, ratings and used proofs across a restart', async () => {
    const file = await tempFile();
    const store = new JsonFileRegistryStore(file);
    const m = await makeMarket({ store });
    const seller = await m.addSeller('shop.test', {
      archetype: 'data-feed',
      latency: { kind: 'fixed', ms: 0 },
    });
    const reg = await m.client.register(seller.listing('http://shop.test'), await nodeSigner(m.seller));
    if (!reg.ok) throw new Error(reg.message);
    const { authorization, challenge } = await buy(m, inMemory(seller.app), '/v1/anomalies');
    const proof = { score: 5, invoice: challenge.invoice, preimage: authorization.split(':')[1]! };
    const payer = await nodeSigner(m.buyer);
    expect(await m.client.rate(reg.listing.id, proof, payer)).toMatchObject({ ok: true });
    await m.registry.flush();
    await store.close(); // the registry stops: the file is free for the next

    const again = new JsonFileRegistryStore(file);
    const reopened = await Registry.open({ clock: m.clock, network: 'regtest', store: again });
    expect(reopened.get(reg.listing.id)).toEqual(m.registry.get(reg.listing.id));
    expect(reopened.get(reg.listing.id)!.rating).toEqual({ average: 5, count: 1, paidMsat: 10_000 });
    const replay = await signRating(reg.listing.id, proof, payer, m.clock.now());
    expect(await reopened.rate(reg.listing.id, replay)).toMatchObject({ ok: false, code: 'already_rated' });
    await again.close();
    // Written by rename: no temporary file is left next to it (nor the lock, once closed).
    expect(await readdir(join(file, '..'))).toEqual(['registry.json']);
    expect(JSON.parse(await readFile(file, 'utf8')).version).toBe(2);
  });

  it('keeps every one of a burst of 25 concurrent registrations across a restart', async () => {
    const file = await tempFile();
    const store = new JsonFileRegistryStore(file);
    const m = await makeMarket({ store });
    const signer = await nodeSigner(m.seller);
    const urls = Array.from({ length: 25 }, (_, i) => `http://s${i}.test/x`);
    const base = {
      name: 'n',
      category: 'c',
      capabilities: [],
      tiers: [{ tier: 0, name: 't', kind: 'single' as const, priceMsat: 1 }],
      nodePubkey: m.seller.pubkey,
    };
    const results = await Promise.all(urls.map((url) => m.client.register({ ...base, url }, signer)));
    expect(results.map((r) => (r.ok ? r.listing.url : r.message))).toEqual(urls);
    await m.registry.flush();
    await store.close();
    const reopened = await Registry.open({
      clock: m.clock,
      network: 'regtest',
      store: new JsonFileRegistryStore(file),
    });
    expect(reopened.size).toBe(25);
  });

  it('refuses to start on a file that is not a registry snapshot, rather than overwrite it', async () => {
    const file = await tempFile();
    await new JsonFileRegistryStore(file).save({ version: 1, listings: [], ratings: [], tombstones: [] });
    await writeFile(file, '{"listings": "oops"');
    await expect(new JsonFileRegistryStore(file).load()).rejects.toThrow(LabError);
    await writeFile(file, '{"version": 2}');
    await expect(new JsonFileRegistryStore(file).load()).rejects.toThrow(/not a registry snapshot/);
  });

  it.each([
    [
      'a listing that is null',
      { listings: [null] },
      'listings[0]: expected an object (key: value entries), got null',
    ],
    [
      'a listing without tiers',
      { listings: [{ ...STORED, tiers: undefined }] },
      'listings[0].tiers: required: add tiers',
    ],
    [
      'a rating record that is a number',
      { ratings: [7] },
      'ratings[0]: expected an object (key: value entries), got 7',
    ],
    ['a tombstone without its id', { tombstones: [{ signedAt: 1 }] }, 'tombstones[0].id: required: add id'],
  ])(
    'refuses to start on a snapshot holding %s: corrupt_store naming the file and the entry',
    async (_, entries, problem) => {
      const file = await tempFile();
      const base = { version: 2, listings: [STORED], ratings: [], ratingSums: [], tombstones: [] };
      await new JsonFileRegistryStore(file).save({ ...base, ...entries } as unknown as RegistryData);

      await expect(new JsonFileRegistryStore(file).load()).rejects.toMatchObject({
        code: 'corrupt_store',
        message: `${file} is not a registry snapshot: ${problem}; restore it from a backup, or mend or delete that entry`,
      });
    },
  );

  it('starts empty when the file does not exist yet', async () => {
    expect(await new JsonFileRegistryStore(await tempFile()).load()).toBeUndefined();
  });
});
