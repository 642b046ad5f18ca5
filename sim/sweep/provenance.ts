import { fileURLToPath } from 'node:url';
import type { Overrides } from '../scenario/overrides.js';
import {
  codeText,
  codeVersion as gitVersion,
  packageVersions,
  type CodeVersion,
} from '../report/provenance.js';
import { htmlTable } from '../report/html.js';
import { codeVersion } from './code-version.js';

/**
 * What a sweep ran, written to sweep.json and shown in report.html, as meta.json does for
 * `sim run`: the `--set` overrides applied to every point, each point's resolved scenario hash
 * without the seed (sweep.json's `points[].scenarioHash`; each run's summary.json has the hash
 * with its seed), and the code. Nothing here varies between two runs of
 * the same sweep on the same code, so a local and a queued sweep write the same bytes.
 */
export interface SweepProvenance {
  /** The overrides applied to every grid point (`--set`), before the point's own. */
  base: Overrides;
  /** The git commit, whether the work tree had uncommitted changes (null: unknown, not a git checkout), and the source fingerprint (code-version.ts). */
  code: CodeVersion & { source: string };
  /** The versions of the packages that shape a run's numbers. */
  versions: Record<string, string>;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The code of this checkout now: its git commit and dirty flag, and `source()`, the source
 * fingerprint (default: this process's, `codeVersion`). A sweep takes it before its first run,
 * so its provenance names the code that ran, not the code on disk when it ended.
 */
export function codeNow(source: () => string = codeVersion): SweepProvenance['code'] {
  return { ...gitVersion(ROOT), source: source() };
}

/** The provenance of a sweep that ran `code` (default: this checkout's now) from this checkout. */
export function sweepProvenance(base: Overrides = {}, code = codeNow()): SweepProvenance {
  return { base, code, versions: packageVersions(ROOT) };
}

/** The report's provenance section: the code, the overrides of every point, and each point's scenario hash. */
export function provenanceHtml(
  p: SweepProvenance,
  points: readonly { index: number; scenarioHash?: string | null }[],
): string[] {
  const base = Object.entries(p.base).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  const code = `${codeText(p.code)}; source fingerprint ${p.code.source}`;
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
      ['point', "scenario sha256 without the seed (each run's summary.json: with its seed)"],
      points.map((pt) => [`P${pt.index}`, pt.scenarioHash ?? 'no finished run']),
    ),
  ];
}
