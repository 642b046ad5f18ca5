import { describe, expect, it } from 'vitest';
import { signAction } from '../../services/registry/index.js';
import { listingOf, nodeKeys, openRegistry } from './registry-helpers.js';

/** A registry with one listing owned by `owner`, and an attacker's key. */
async function market() {
  const r = await openRegistry();
  const { owner, attacker } = nodeKeys(12, ['owner', 'attacker']);
  const fields = listingOf(owner, 'http://shop.test/v1/data', 10_000);
  const reg = await r.client.register(fields, owner.signer);
  if (!reg.ok) throw new Error(reg.message);
  return { ...r, owner, attacker, fields, id: reg.listing.id };
}

describe('only the listing owner changes or removes a listing', () => {
  it("refuses moving someone else's listing to another URL at 1 msat, signed by the attacker", async () => {
    const m = await market();
    const moved = {
      ...m.fields,
      url: 'http://evil.test/v1/data',
      tiers: [{ ...m.fields.tiers[0]!, priceMsat: 1 }],
    };
    expect(await m.client.update(m.id, moved, m.attacker.signer)).toMatchObject({
      ok: false,
      status: 400,
      code: 'bad_signature',
    });
    expect(
      await m.client.update(m.id, { ...moved, nodePubkey: m.attacker.pubkey }, m.attacker.signer),
    ).toMatchObject({ ok: false, status: 403, code: 'pubkey_mismatch' });
    expect(m.registry.get(m.id)).toMatchObject({
      url: 'http://shop.test/v1/data',
      tiers: [{ priceMsat: 10_000 }],
    });
  });

  it("refuses removing someone else's listing", async () => {
    const m = await market();
    expect(await m.client.remove(m.id, m.attacker.signer)).toMatchObject({
      ok: false,
      status: 400,
      code: 'bad_signature',
    });
    expect(m.registry.get(m.id)).toMatchObject({
      url: 'http://shop.test/v1/data',
      tiers: [{ priceMsat: 10_000 }],
    });
  });

  it("refuses the owner's signed update of one listing replayed onto another", async () => {
    const m = await market();
    const second = await m.client.register(listingOf(m.owner, 'http://shop.test/v1/b'), m.owner.signer);
    if (!second.ok) throw new Error(second.message);
    const signedAt = m.clock.now() + 1;
    const listing = { ...m.fields, tiers: [{ ...m.fields.tiers[0]!, priceMsat: 1 }] };
    const signature = await signAction({ action: 'update', id: m.id, listing, signedAt }, m.owner.signer);
    expect(await m.registry.update(second.listing.id, { listing, signedAt, signature })).toMatchObject({
      ok: false,
      code: 'bad_signature',
    });
  });

  it("refuses an owner's old signed update replayed after a newer one", async () => {
    const m = await market();
    const t = m.clock.now();
    const cheap = { ...m.fields, tiers: [{ ...m.fields.tiers[0]!, priceMsat: 1 }] };
    const old = {
      listing: cheap,
      signedAt: t + 1,
      signature: await signAction(
        { action: 'update', id: m.id, listing: cheap, signedAt: t + 1 },
        m.owner.signer,
      ),
    };
    const fresh = {
      listing: m.fields,
      signedAt: t + 2,
      signature: await signAction(
        { action: 'update', id: m.id, listing: m.fields, signedAt: t + 2 },
        m.owner.signer,
      ),
    };
    expect(await m.registry.update(m.id, old)).toMatchObject({ ok: true });
    expect(await m.registry.update(m.id, fresh)).toMatchObject({ ok: true });
    expect(await m.registry.update(m.id, old)).toMatchObject({ ok: false, code: 'stale_signature' });
    expect(m.registry.get(m.id)!.tiers[0]!.priceMsat).toBe(10_000);
  });

  it('refuses a registration signature replayed as a removal', async () => {
    const m = await market();
    const signedAt = m.clock.now() + 1;
    const signature = await signAction({ action: 'register', listing: m.fields, signedAt }, m.owner.signer);
    expect(await m.registry.remove(m.id, { signedAt, signature })).toMatchObject({
      ok: false,
      code: 'bad_signature',
    });
  });
});
