import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioSchema, type Scenario } from './schema.js';
import { checkRefused, crossChecks } from './cross-checks.js';
import { ScenarioError, formatPath, scenarioErrorMap, type ScenarioIssue } from './errors.js';
import { applyOverrides, type Overrides } from './overrides.js';
import { parseScenarioText } from './yaml-text.js';
import { nearest } from '../../infra/suggest.js';

/** Where the shipped scenarios live. */
export const SCENARIO_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');

/** Extra validation supplied by a higher layer (e.g. payment policy parameters); returns issues with full paths. */
export type ScenarioCheck = (s: Scenario) => ScenarioIssue[];

export interface LoadOptions {
  overrides?: Overrides;
  checks?: ScenarioCheck[];
}

/** The outcome of validating a document: a scenario, or every issue found. */
export type Validation = { ok: true; scenario: Scenario } | { ok: false; issues: ScenarioIssue[] };

/**
 * Validates a parsed document (schema, cross references, extra checks) without throwing. A
 * document the schema refuses is also cross-checked as far as it can be read (`checkRefused`),
 * so one pass lists every problem it can.
 */
export function validateScenario(doc: unknown, checks: ScenarioCheck[] = []): Validation {
  const parsed = scenarioSchema.safeParse(doc, { error: scenarioErrorMap });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));
    issues.push(...checkRefused(doc, parsed.error.issues));
    // Report the higher layers' problems too (policy parameters), so one pass shows everything;
    // those checks read a document that failed the schema, so a crash in them only means "no more to say".
    for (const c of checks) {
      try {
        issues.push(...c(doc as Scenario));
      } catch {
        // The document is too broken for this check.
      }
    }
    return { ok: false, issues };
  }
  const issues = [...crossChecks(parsed.data), ...checks.flatMap((c) => c(parsed.data))];
  return issues.length ? { ok: false, issues } : { ok: true, scenario: parsed.data };
}

/** Resolves a shipped scenario name (`quickstart`) or a path to a YAML file. */
export function resolveScenarioPath(nameOrPath: string): string {
  const candidates = isAbsolute(nameOrPath)
    ? [nameOrPath]
    : [resolve(nameOrPath), join(SCENARIO_DIR, nameOrPath), join(SCENARIO_DIR, `${nameOrPath}.yaml`)];
  if (isDirectory(candidates[0]!)) throw directoryGiven(nameOrPath, candidates[0]!);
  const existing = candidates.filter((p) => existsSync(p) && statSync(p).isFile());
  const found = existing.find((p) => YAML_FILE.test(p));
  if (found) return found;
  if (existing[0])
    throw new ScenarioError(
      'not_yaml',
      [{ path: '', message: 'scenarios are YAML (.yaml or .yml); rename the file to end in .yaml' }],
      existing[0],
    );
  const hint = didYouMean(nameOrPath);
  throw new ScenarioError('not_found', [
    {
      path: '',
      message: `no file "${nameOrPath}"${hint}; shipped scenarios: ${listScenarios().join(', ')}`,
    },
  ]);
}

const isDirectory = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** A directory where a scenario file was expected: names the YAML files in it, or says it has none. */
function directoryGiven(nameOrPath: string, dir: string): ScenarioError {
  const files = yamlFilesIn(dir).map((f) => join(nameOrPath, f));
  const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? ', …' : '');
  const give = files.length
    ? `; give a scenario file (YAML files in it: ${shown})`
    : ', with no YAML file in it; give a scenario file (.yaml or .yml)';
  const message = `it is a directory${give} or a shipped scenario name: ${listScenarios().join(', ')}`;
  return new ScenarioError('is_directory', [{ path: '', message }], dir);
}

/** The names of the YAML files directly in `dir`, sorted; none when it cannot be read. */
function yamlFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isFile() && YAML_FILE.test(e.name))
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}

/** ` (did you mean "quickstart"?)` for a name (not a path) one typo away from a shipped scenario, else nothing. */
function didYouMean(nameOrPath: string): string {
  if (/[/\\]/.test(nameOrPath)) return '';
  const near = nearest(nameOrPath.replace(YAML_FILE, ''), listScenarios());
  return near ? ` (did you mean "${near}"?)` : '';
}

const YAML_FILE = /\.ya?ml$/;

/** Names of the shipped scenarios. */
export function listScenarios(): string[] {
  return [
    'quickstart',
    'price-war',
    'resale',
    'policy-benchmark',
    'agent-chain',
    'faults',
    'success-vs-amount',
    'reputation',
    'negotiation',
    'first-proposal-bias',
  ];
}

/** Parses and validates scenario text; throws a ScenarioError listing every issue. */
export function loadScenarioText(text: string, opts: LoadOptions = {}, file?: string): Scenario {
  const raw = parseScenarioText(text, file);
  const doc = opts.overrides ? applyOverrides(raw, opts.overrides) : raw;
  const v = validateScenario(doc, opts.checks);
  if (!v.ok) throw new ScenarioError('invalid_scenario', v.issues, file);
  return v.scenario;
}

/** Loads a shipped scenario by name or a YAML file by path, applies overrides, validates. */
export function loadScenario(nameOrPath: string, opts: LoadOptions = {}): Scenario {
  const file = resolveScenarioPath(nameOrPath);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ScenarioError('unreadable', [{ path: '', message: String(cause) }], file, { cause });
  }
  return loadScenarioText(text, opts, file);
}

export { parseScenarioText };
