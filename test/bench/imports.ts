/**
 * The repository files a script reaches through relative imports (static
 * imports, re-exports and dynamic `import('…')`), the script included: what a
 * bench times, as far as its source says. Packages are not followed (their
 * versions are in package-lock.json), nor scripts a bench starts by path.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"](\.{1,2}\/[^'"]+)['"]/g;

/** The file a relative specifier names: `x.js` is `x.ts` in this TypeScript tree. */
function resolveSpecifier(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec);
  return [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')].find(
    (c) => existsSync(c) && statSync(c).isFile(),
  );
}

/** Every file reachable from `entry` (relative to `root`), as sorted paths relative to `root`. */
export function reachableFiles(root: string, entry: string): string[] {
  const seen = new Set<string>();
  const todo = [resolve(root, entry)];
  for (let file = todo.pop(); file !== undefined; file = todo.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(SPECIFIER)) {
      const next = resolveSpecifier(file, m[1]!);
      if (next !== undefined && !seen.has(next)) todo.push(next);
    }
  }
  return [...seen].map((f) => relative(root, f)).sort();
}
