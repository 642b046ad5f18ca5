import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { parseControl, MAX_CONTROL_BYTES } from '../../sim/live/controls.js';
import type { LiveMarket } from '../../sim/live/live-market.js';
import type { LiveServer } from '../../sim/live/server.js';
import { startDemo, until } from './harness.js';

describe('parseControl', () => {
  test.each([
    ['not JSON', '{pause', 'bad_json', 'control message is not JSON'],
    [
      'an unknown type',
      '{"type":"explode"}',
      'bad_message',
      'type: unknown type "explode"; expected pause | resume | speed | seller_offline | node_offline | drain | price | seek',
    ],
    [
      'a message without a type',
      '{"speed":2}',
      'bad_message',
      'type: required: add type; expected pause | resume | speed | seller_offline | node_offline | drain | price | seek',
    ],
    [
      'a speed above the maximum',
      '{"type":"speed","speed":1000}',
      'bad_message',
      'speed: expected at most 100',
    ],
    [
      'a speed that is not a number',
      '{"type":"speed","speed":"fast"}',
      'bad_message',
      'speed: expected a number, got "fast"',
    ],
    [
      'an extra field',
      '{"type":"pause","now":true}',
      'bad_message',
      'message: unknown key "now"; allowed: type',
    ],
    [
      'a fractional price',
      '{"type":"price","seller":"a","msat":1.5}',
      'bad_message',
      'msat: expected an integer, got 1.5',
    ],
    [
      'a drain of nothing',
      '{"type":"drain","node":"a","fraction":0}',
      'bad_message',
      'fraction: expected more than 0',
    ],
    [
      'an empty seller name',
      '{"type":"seller_offline","seller":"","offline":true}',
      'bad_message',
      'seller: expected at least 1 character',
    ],
    [
      'a message over the size limit',
      JSON.stringify({ type: 'pause', pad: 'x'.repeat(MAX_CONTROL_BYTES) }),
      'too_large',
      `control messages are at most ${MAX_CONTROL_BYTES} bytes`,
    ],
  ])('refuses %s with code %s and a message naming the problem', (_what, text, code, message) => {
    expect(parseControl(text)).toEqual({ ok: false, code, message });
  });

  test('names each field that is wrong, not just the first', () => {
    expect(parseControl('{"type":"price","seller":"","msat":1.5}')).toEqual({
      ok: false,
      code: 'bad_message',
      message: 'seller: expected at least 1 character; msat: expected an integer, got 1.5',
    });
  });

  test('names the field that is wrong', () => {
    const r = parseControl('{"type":"speed","speed":1000}');
    expect(r.ok ? '' : r.message).toMatch(/^speed: /);
  });

  test('accepts a price change', () => {
    expect(parseControl('{"type":"price","seller":"mid-feed-0","msat":1500}')).toEqual({
      ok: true,
      control: { type: 'price', seller: 'mid-feed-0', msat: 1500 },
    });
  });
});

describe('control socket of a live market', () => {
  let market: LiveMarket;
  let server: LiveServer;
  let ws: WebSocket;
  const replies: Record<string, unknown>[] = [];

  beforeAll(async () => {
    ({ market, server } = await startDemo({ durationSec: 3600 }, { speed: 1 }));
    ws = new WebSocket(server.url.replace('http', 'ws') + '/ws');
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Record<string, unknown>;
      if (msg.type !== 'snapshot') replies.push(msg);
    });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    // Controls that act on the market need it built: wait for its first snapshot with sellers in the graph.
    await until('the market to be built', () => market.snapshot().graph.nodes.length > 0);
  }, 600_000);
  afterAll(async () => {
    ws?.close();
    await server?.close();
  });

  async function reply(text: string | Buffer): Promise<Record<string, unknown>> {
    const n = replies.length;
    ws.send(text);
    await expect.poll(() => replies.length, { timeout: 60_000 }).toBe(n + 1);
    return replies[n]!;
  }

  test.each([
    ['not JSON', '{pause', 'bad_json', 'control message is not JSON'],
    [
      'an unknown type',
      '{"type":"explode"}',
      'bad_message',
      'type: unknown type "explode"; expected pause | resume | speed | seller_offline | node_offline | drain | price | seek',
    ],
    ['a speed out of range', '{"type":"speed","speed":0}', 'bad_message', 'speed: expected at least 0.25'],
    [
      'a seller that does not exist',
      '{"type":"seller_offline","seller":"nobody","offline":true}',
      'unknown_seller',
      'no seller named "nobody"; this market\'s sellers: cheap-feed-0, mid-feed-0, premium-feed-0',
    ],
    [
      'a price for a seller whose name is mistyped',
      '{"type":"price","seller":"cheap-fed-0","msat":5}',
      'unknown_seller',
      'no seller named "cheap-fed-0" (did you mean "cheap-feed-0"?); this market\'s sellers: cheap-feed-0, mid-feed-0, premium-feed-0',
    ],
    [
      'a node that does not exist',
      '{"type":"drain","node":"nowhere","fraction":0.5}',
      'unknown_node',
      'no node named "nowhere"; this market\'s nodes: router-0, cheap-feed-0, mid-feed-0, premium-feed-0, bargain-0, … (9 in all)',
    ],
    ['a seek (replay only)', '{"type":"seek","tMs":0}', 'not_supported', 'seek works in replay only'],
    [
      'bringing an online seller online',
      '{"type":"seller_offline","seller":"cheap-feed-0","offline":false}',
      'unchanged',
      'cheap-feed-0 is already online',
    ],
    [
      'bringing an online node online',
      '{"type":"node_offline","node":"router-0","offline":false}',
      'unchanged',
      'router-0 is already online',
    ],
    [
      'a binary frame',
      Buffer.from([1, 2, 3]),
      'bad_json',
      'control messages are JSON text frames, not binary',
    ],
    [
      'an oversized message',
      'x'.repeat(MAX_CONTROL_BYTES + 1),
      'too_large',
      `control messages are at most ${MAX_CONTROL_BYTES} bytes`,
    ],
  ])('answers %s with error %s and a message naming the problem', async (_what, text, code, message) => {
    expect(await reply(text)).toEqual({ type: 'error', code, message });
  });

  test('after every refusal the market is unchanged: same speed, running, every seller online, no action recorded', () => {
    const s = market.snapshot();
    expect(s.speed).toBe(1);
    expect(s.status).toBe('running');
    expect(s.sellers.map((x) => [x.name, x.offline, x.priceMsat])).toEqual([
      ['cheap-feed-0', false, undefined],
      ['mid-feed-0', false, undefined],
      ['premium-feed-0', false, undefined],
    ]);
    expect(s.faults).toEqual([]);
    expect(server.viewers).toBe(1);
  });

  test('a valid control is applied and acknowledged', async () => {
    expect(await reply('{"type":"speed","speed":2}')).toEqual({ type: 'ok', applied: 'speed' });
    expect(market.snapshot().speed).toBe(2);
  });

  test('taking a seller offline twice records one fault; the second is refused as unchanged', async () => {
    const off = '{"type":"seller_offline","seller":"mid-feed-0","offline":true}';
    expect(await reply(off)).toEqual({ type: 'ok', applied: 'seller_offline' });
    expect(await reply(off)).toEqual({
      type: 'error',
      code: 'unchanged',
      message: 'mid-feed-0 is already offline',
    });
    expect(market.snapshot().faults.map((f) => [f.kind, f.target])).toEqual([['node_offline', 'mid-feed-0']]);
  });
});

describe('price control on a seller that reprices itself (price-war)', () => {
  let market: LiveMarket;
  let server: LiveServer;

  beforeAll(async () => {
    ({ market, server } = await startDemo({ durationSec: 3600 }, { speed: 1 }, 'price-war'));
    await until('the market to be built', () => market.snapshot().graph.nodes.length > 0);
  }, 600_000);
  afterAll(async () => {
    await server?.close();
  });

  test('is refused with repricing_seller, records no fault and shows no presenter price', async () => {
    expect(await market.apply({ type: 'price', seller: 'rival-0', msat: 7000 })).toEqual({
      ok: false,
      code: 'repricing_seller',
      message:
        'rival-0 sets its own price (its scenario gives it the "undercut" pricing strategy), so a fixed price would be undone at its next step; set the price of a seller without pricing, or take this one offline',
    });
    const s = market.snapshot();
    expect(s.faults).toEqual([]);
    expect(s.sellers.map((x) => [x.name, x.priceMsat])).toEqual([
      ['rival-0', undefined],
      ['rival-1', undefined],
    ]);
  });
});
