/**
 * Who may talk to the live server. The page's control socket changes the
 * market (pause, prices, faults), so a page from another site open in the
 * presenter's browser must not reach it: a browser always sends `Origin` on
 * a WebSocket upgrade, and only the page this server served may connect.
 * Every request must also name this server in `Host` (a loopback name and
 * the bound port), so a DNS-rebinding page, whose `Host` is its own name,
 * can neither read snapshots nor send controls. Clients that are not
 * browsers (scripts, benches) send no `Origin` and are let through.
 */

/** The `Host` values that name a server bound to `hostname:port`. */
export function allowedHosts(hostname: string, port: number): Set<string> {
  const names = isLoopback(hostname) ? ['127.0.0.1', 'localhost', '[::1]'] : [hostname];
  return new Set(names.map((n) => `${n}:${port}`));
}

function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '::1' || hostname === '[::1]';
}

/** Why a request may not be served, or undefined when it may. */
export function refusal(
  host: string | undefined,
  origin: string | undefined,
  allowed: Set<string>,
): string | undefined {
  if (!host || !allowed.has(host.toLowerCase()))
    return `Host ${JSON.stringify(host ?? '')} is not this server`;
  if (origin === undefined) return undefined;
  const from = URL.canParse(origin) ? new URL(origin) : undefined;
  if (!from || from.protocol !== 'http:' || from.host !== host.toLowerCase())
    return `Origin ${JSON.stringify(origin)} is not this server's page`;
  return undefined;
}
