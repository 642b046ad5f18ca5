import { fileURLToPath } from 'node:url';
import type { Overrides } from '../scenario/overrides.js';
import { codeVersion as gitVersion, packageVersions } from '../report/provenance.js';
import { htmlTable } from '../report/html.js';
import { codeVersion } from './code-version.js';

/**
 * What a sweep ran, written to sweep.json and shown in report.html, as meta.json does for
 * `sim run`: the `--set` overrides applied to every point, each point's resolved scenario hash
 * (sweep.json's `points[].scenarioHash`), and the code. Nothing here varies between two runs of
 * the same sweep on the same code, so a local and a queued sweep write the same bytes.
 */
export interface SweepProvenance {
  /** The overrides applied to every grid point (`--set`), before the point's own. */
  base: Overrides;
  /** The git commit, whether the work tree had uncommitted changes, and the source fingerprint (code-version.ts). */
  code: { commit: string; dirty: boolean; source: string };
  /** The versions of the packages that shape a run's numbers. */
  versions: Record<string, string>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The provenance of a sweep started now from this checkout. */
export function sweepProvenance(base: Overrides = {}): SweepProvenance {
  return { base, code: { ...gitVersion(ROOT), source: codeVersion() }, versions: packageVersions(ROOT) };
}

/** The report's provenance section: the code, the overrides of every point, and each point's scenario hash. */
export function provenanceHtml(
  p: SweepProvenance,
  points: readonly { index: number; scenarioHash?: string | null }[],
): string[] {
  const base = Object.entries(p.base).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  const code = `${p.code.commit}${p.code.dirty ? ' (uncommitted changes)' : ''}; source fingerprint ${p.code.source}`;
  const versions = Object.entries(p.versions).map(([k, v]) => `${k} ${v}`);
  return [
    '<h2>Provenance</h2>',
    htmlTable(
      ['what', 'value'],
      [
        ['code', code],
        ['--set on every point', base.length ? base.join('; ') : 'none'],
        ['packages', versions.join(', ')],
      ],
    ),
    htmlTable(
      ['point', 'scenario sha256 (as its runs report it)'],
      points.map((pt) => [`P${pt.index}`, pt.scenarioHash ?? 'no finished run']),
    ),
  ];
}
