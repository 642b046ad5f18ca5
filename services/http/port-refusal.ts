/**
 * The one wording of a port a command could not listen on. Kept apart from
 * listen.ts so a CLI can import it before it loads its server.
 */
/**
 * What to tell the person who chose `port` when `listen` could not bind it
 * (in use, or not allowed): `port 8402 is in use; pass --port N (or --port 0
 * for a free one)…`. Undefined for any other error, which the caller reports
 * as it is. Every command that takes `--port` says it this way.
 */
export function portRefusal(err: unknown, port: number): string | undefined {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') return `port ${port} is in use; ${freePortHint(port)}`;
  if (code === 'EACCES') return `not allowed to listen on port ${port}; ${freePortHint(port)}`;
  return undefined;
}

function freePortHint(port: number): string {
  const registry = port === 8402 ? ' (npm run registry listens on 8402 too by default)' : '';
  return `pass --port N (or --port 0 for a free one)${registry}`;
}
