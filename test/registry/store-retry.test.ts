/**
 * A write the registry's store fails to save is answered 503 and changes
 * nothing: sent again once the disk is back, the same request gets the answer
 * a first try would have got, and a registry reopened from the disk holds
 * exactly that. Real server, real HTTP, real files: the disk fails because a
 * file stands where the data folder should be.
 */
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import {
  listingId,
  signAction,
  signListing,
  signRating,
  type RegistryServer,
} from '../../services/registry/index.js';
import { listingOf, paidInvoice } from '../security/registry-helpers.js';
import { startRegistryOnDisk } from './disk-fixture.js';
import { KEYS, openCopy, useTempDirs } from './journal-helpers.js';

const tempDir = useTempDirs();
let server: RegistryServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const URL_1 = 'http://shop.test/v1/data';

/** A registry server on a file store in `<dir>/data`, with a disk that can be made to fail and mended. */
async function registryOnDisk() {
  const clock = new VirtualClock();
  const disk = await startRegistryOnDisk(await tempDir(), clock);
  server = disk.server;
  const url = server.url;
  /** Sends `body` (if any) as JSON: the status and the parsed answer. */
  const send = async (method: string, path: string, body?: unknown) => {
    const json = body === undefined ? {} : { body: JSON.stringify(body) };
    const res = await fetch(`${url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...json,
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { ...disk, clock, send };
}

const unavailable = {
  status: 503,
  body: { error: 'store_unavailable', message: 'the registry could not save the change; retry' },
};

describe('a registration the store fails to save', () => {
  it('is answered 503 and not listed; the same request sent again once the disk is back gets 201 with the listing, and the disk holds exactly it', async () => {
    const m = await registryOnDisk();
    const signed = await signListing(
      listingOf(KEYS.seller, URL_1),
      KEYS.seller.signer,
      m.clock.now(),
      m.server.url,
    );
    const at = m.clock.now();
    const id = listingId(KEYS.seller.pubkey, URL_1);
    const listing = { ...signed.listing, id, createdAt: at, updatedAt: at, signedAt: signed.signedAt };
    await m.breakDisk();

    expect(await m.send('POST', '/listings', signed)).toEqual(unavailable);
    expect((await m.send('GET', `/listings/${id}`)).status).toBe(404);
    await m.mendDisk();
    const retried = await m.send('POST', '/listings', signed);

    expect(retried).toEqual({ status: 201, body: { listing } });
    const reopened = await openCopy(m.file, await tempDir(), m.clock);
    expect(reopened.all()).toEqual([listing]);
  });
});

describe('a rating the store fails to save', () => {
  it('is answered 503 and not counted; the same rating sent again once the disk is back gets 201 with the rating, and the disk holds exactly it', async () => {
    const m = await registryOnDisk();
    const signed = await signListing(
      listingOf(KEYS.seller, URL_1),
      KEYS.seller.signer,
      m.clock.now(),
      m.server.url,
    );
    const listed = await m.send('POST', '/listings', signed);
    const listing = listed.body.listing as { id: string };
    const proof = paidInvoice(KEYS.seller, { timestampSec: Math.floor(m.clock.now() / 1000) }, 1);
    const rating = await signRating(
      listing.id,
      { score: 4, ...proof },
      KEYS.a.signer,
      m.clock.now(),
      m.server.url,
    );
    await m.breakDisk();

    expect(await m.send('POST', `/listings/${listing.id}/ratings`, rating)).toEqual(unavailable);
    expect((await m.send('GET', `/listings/${listing.id}`)).body).toEqual({ listing });
    await m.mendDisk();
    const retried = await m.send('POST', `/listings/${listing.id}/ratings`, rating);

    const rated = { average: 4, count: 1, paidMsat: 10_000 };
    const paymentHash = createHash('sha256').update(Buffer.alloc(32, 1)).digest('hex');
    expect(retried).toEqual({ status: 201, body: { listingId: listing.id, paymentHash, rating: rated } });
    const reopened = await openCopy(m.file, await tempDir(), m.clock);
    expect(reopened.all()).toEqual([{ ...listing, rating: rated }]);
  });
});

describe('a removal the store fails to save', () => {
  it('is answered 503 and the listing stays; the same removal sent again once the disk is back gets 200 with the listing, and the disk holds none', async () => {
    const m = await registryOnDisk();
    const signed = await signListing(
      listingOf(KEYS.seller, URL_1),
      KEYS.seller.signer,
      m.clock.now(),
      m.server.url,
    );
    const listing = (await m.send('POST', '/listings', signed)).body.listing as { id: string };
    await m.clock.advance(1);
    const signedAt = m.clock.now();
    const registry = m.server.url;
    const removal = {
      signedAt,
      registry,
      signature: await signAction(
        { action: 'remove', id: listing.id, signedAt, registry },
        KEYS.seller.signer,
      ),
    };
    await m.breakDisk();

    expect(await m.send('DELETE', `/listings/${listing.id}`, removal)).toEqual(unavailable);
    expect((await m.send('GET', `/listings/${listing.id}`)).body).toEqual({ listing });
    await m.mendDisk();
    const retried = await m.send('DELETE', `/listings/${listing.id}`, removal);

    expect(retried).toEqual({ status: 200, body: { listing } });
    const reopened = await openCopy(m.file, await tempDir(), m.clock);
    expect(reopened.all()).toEqual([]);
    // The removal is on disk with its tombstone: the old registration cannot be replayed.
    expect(await reopened.register(signed)).toMatchObject({ ok: false, code: 'stale_signature' });
  });
});
