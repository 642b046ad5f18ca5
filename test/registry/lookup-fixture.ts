/**
 * Name resolution for registry servers under the `public` address policy, which resolves a
 * listing's host name at registration: tests list made-up names (`quotes.test`, `shop.test`)
 * without the internet and without editing /etc/hosts.
 */
import type { ResolveAll } from '../../services/registry/index.js';

/** A public address every made-up name resolves to with `publicLookup`. */
export const PUBLIC_ADDRESS = '93.184.216.34';

/** Resolves every name to `PUBLIC_ADDRESS`. */
export const publicLookup: ResolveAll = (_host, _options, callback) =>
  callback(null, [{ address: PUBLIC_ADDRESS, family: 4 }]);

/** Resolves the names of `names` to their addresses (any other name is ENOTFOUND), noting every name asked. */
export function lookupFrom(names: Record<string, string[]>): { lookup: ResolveAll; asked: string[] } {
  const asked: string[] = [];
  const lookup: ResolveAll = (host, _options, callback) => {
    asked.push(host);
    const addresses = names[host];
    if (!addresses)
      return callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' }), []);
    callback(
      null,
      addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
    );
  };
  return { lookup, asked };
}
