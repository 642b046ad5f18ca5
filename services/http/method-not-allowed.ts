import type { Hono } from 'hono';

/**
 * Answers every method a route does not serve with 405 `method_not_allowed`
 * and an `Allow` header naming the ones it does (HEAD comes with GET), for
 * the registry, the sellers and the live view. Register it after the routes:
 * Hono runs the first matching handler, so served methods never reach it.
 */
export function refuseOtherMethods(
  app: Hono,
  routes: readonly (readonly [path: string, allow: string])[],
): void {
  for (const [path, allow] of routes)
    app.all(path, (c) =>
      c.json(
        {
          error: 'method_not_allowed',
          message: `${c.req.method} ${c.req.path} is not allowed; use ${allow}`,
        },
        405,
        { Allow: allow },
      ),
    );
}
