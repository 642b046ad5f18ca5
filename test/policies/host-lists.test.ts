import { describe, expect, it } from 'vitest';
import { createL402Client } from '../../agents/l402/index.js';
import { createPolicy, type Decision } from '../../agents/policies/index.js';
import { VirtualClock } from '../../infra/time/virtual-clock.js';
import { makeMarket } from '../buyer/market.js';
import { offer } from './helpers.js';

const clock = new VirtualClock();
const ctx = { nowMs: clock.now() };

/** The decision on an offer for `href` (its `host` as the engine sets it), as `allow` or `deny: <reason>`. */
async function decide(list: 'allowlist' | 'denylist', hosts: string[], href: string): Promise<string> {
  const policy = createPolicy({ name: list, params: { hosts } }, { clock });
  const host = URL.canParse(href) ? new URL(href).host : href;
  const d: Decision = await policy.authorize(offer({ url: href, host }), ctx);
  return d.kind === 'deny' ? `deny: ${d.reason}` : d.kind;
}

describe('hosts lists compare the URL host name, lowercased, without a trailing dot', () => {
  const cases: {
    name: string;
    list: 'allowlist' | 'denylist';
    hosts: string[];
    href: string;
    want: string;
  }[] = [
    {
      name: 'a denied host on its default port is denied',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'http://evil.example/v1',
      want: "deny: denylist: host 'evil.example' is denied",
    },
    {
      name: 'a denied host in upper case is denied',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'http://EVIL.Example/v1',
      want: "deny: denylist: host 'evil.example' is denied",
    },
    {
      name: 'a denied host on another port is denied',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'http://evil.example:8402/v1',
      want: "deny: denylist: host 'evil.example:8402' is denied",
    },
    {
      name: 'a denied host with a trailing dot is denied',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'http://evil.example./v1',
      want: "deny: denylist: host 'evil.example' is denied",
    },
    {
      name: 'a denied host with a trailing dot and a port is denied',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'https://evil.example.:8443/v1',
      want: "deny: denylist: host 'evil.example:8443' is denied",
    },
    {
      name: 'a denied host over https is denied',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'https://evil.example/v1',
      want: "deny: denylist: host 'evil.example' is denied",
    },
    {
      name: 'a denylist entry in upper case with a trailing dot denies the host',
      list: 'denylist',
      hosts: ['EVIL.Example.'],
      href: 'http://evil.example/v1',
      want: "deny: denylist: host 'evil.example' is denied",
    },
    {
      name: 'a subdomain of a denied host is not that host',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'http://sub.evil.example/v1',
      want: 'allow',
    },
    {
      name: 'a host:port entry denies that port',
      list: 'denylist',
      hosts: ['evil.example:8402'],
      href: 'http://evil.example.:8402/v1',
      want: "deny: denylist: host 'evil.example:8402' is denied",
    },
    {
      name: 'a host:port entry does not deny another port',
      list: 'denylist',
      hosts: ['evil.example:8402'],
      href: 'http://evil.example/v1',
      want: 'allow',
    },
    {
      name: "a host:80 entry denies http's default port",
      list: 'denylist',
      hosts: ['evil.example:80'],
      href: 'http://evil.example/v1',
      want: "deny: denylist: host 'evil.example' is denied",
    },
    {
      name: "a host:80 entry does not deny https's default port",
      list: 'denylist',
      hosts: ['evil.example:80'],
      href: 'https://evil.example/v1',
      want: 'allow',
    },
    {
      name: 'a bracketed IPv6 host:port entry denies that address and port',
      list: 'denylist',
      hosts: ['[::1]:8402'],
      href: 'http://[0:0::1]:8402/v1',
      want: "deny: denylist: host '[::1]:8402' is denied",
    },
    {
      name: 'an internationalised entry denies its punycode host',
      list: 'denylist',
      hosts: ['bücher.example'],
      href: 'http://xn--bcher-kva.example/v1',
      want: "deny: denylist: host 'xn--bcher-kva.example' is denied",
    },
    {
      name: 'an offer URL that cannot be read is denied by a hosts denylist',
      list: 'denylist',
      hosts: ['evil.example'],
      href: 'not a url',
      want: 'deny: denylist: host (unreadable) is denied',
    },
    {
      name: 'an allowed host on another port with a trailing dot is allowed',
      list: 'allowlist',
      hosts: ['seller.test'],
      href: 'http://SELLER.test.:8402/v1',
      want: 'allow',
    },
    {
      name: 'a host:port allowlist entry allows that port',
      list: 'allowlist',
      hosts: ['seller.test:8402'],
      href: 'http://seller.test:8402/v1',
      want: 'allow',
    },
    {
      name: 'a host:port allowlist entry refuses another port',
      list: 'allowlist',
      hosts: ['seller.test:8402'],
      href: 'http://seller.test:8403/v1',
      want: "deny: allowlist: host 'seller.test:8403' is not allowed",
    },
    {
      name: 'a host:port allowlist entry refuses the default port',
      list: 'allowlist',
      hosts: ['seller.test:8402'],
      href: 'http://seller.test/v1',
      want: "deny: allowlist: host 'seller.test' is not allowed",
    },
    {
      name: 'an offer URL that cannot be read is refused by a hosts allowlist',
      list: 'allowlist',
      hosts: ['seller.test'],
      href: 'not a url',
      want: 'deny: allowlist: host (unknown) is not allowed',
    },
  ];
  it.each(cases)('$name', async ({ list, hosts, href, want }) => {
    expect(await decide(list, hosts, href)).toBe(want);
  });

  it.each([
    'http://evil.example',
    'evil.example/v1',
    'user@evil.example',
    'evil.example:65536',
    'evil example',
  ])(
    "a hosts entry '%s' that is not a host name or host:port is refused when the policy is built",
    (entry) => {
      for (const name of ['allowlist', 'denylist'])
        expect(() => createPolicy({ name, params: { hosts: [entry] } }, { clock })).toThrow(
          expect.objectContaining({
            code: 'invalid_policy_spec',
            message: `invalid policy spec: hosts entry '${entry}' must be a host name or host:port (no scheme, path or user)`,
          }),
        );
    },
  );
});

describe('a client with a hosts denylist pays nothing to the denied host however its URL spells it', () => {
  it.each([
    ['evil.test', "host 'evil.test'"],
    ['evil.test:8402', "host 'evil.test:8402'"],
    ['evil.test.', "host 'evil.test'"],
    ['EVIL.test.:8402', "host 'evil.test:8402'"],
  ])('http://%s/v1/data ends policy_denied with 0 msat paid', async (host, named) => {
    const m = makeMarket();
    const seller = m.addSeller({ name: 'evil', priceMsat: 5_000 });
    m.mount(host.toLowerCase(), seller.app);
    const policy = createPolicy({ name: 'denylist', params: { hosts: ['evil.test'] } }, { clock: m.clock });
    const client = createL402Client({ node: m.buyer, fetch: m.fetch, clock: m.clock, policy });
    const before = await m.balance(m.buyer);

    const r = await client.purchase(`http://${host}/v1/data`);

    expect(r).toMatchObject({
      outcome: 'policy_denied',
      reason: `denylist: ${named} is denied`,
      quotedMsat: 5_000,
      paidMsat: 0,
      feeMsat: 0,
    });
    expect(before - (await m.balance(m.buyer))).toBe(0);
  });
});
