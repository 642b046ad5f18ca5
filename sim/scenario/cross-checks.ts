import type { z } from 'zod';
import { faultSchema, scenarioSchema, type Scenario } from './schema.js';
import { buyerSchema, resellerSchema } from './buyer-schema.js';
import { sellerSchema } from './seller-schema.js';
import { checkGroups, checkScenario } from './checks.js';
import { checkFiles, checkSweepPaths } from './reach.js';
import type { ScenarioIssue } from './errors.js';

/**
 * The checks beyond the schema (cross references, ranges between fields,
 * the market's size and money, sweep paths, files), on a valid scenario or
 * on what can be read of a file the schema refused, so that one
 * `sim validate` lists both kinds of problem.
 */

/** Every check beyond the schema, on a scenario that passed it. */
export function crossChecks(s: Scenario): ScenarioIssue[] {
  return [...checkScenario(s), ...checkSweepPaths(s), ...checkFiles(s)];
}

/**
 * The checks beyond the schema on a document it refused with `issues`.
 * Unknown keys are set aside first (each is already reported): when nothing
 * else is wrong, every check runs on the rest. Otherwise each group (a
 * seller, buyer or reseller group, a fault) that passes its own schema is
 * read, and the checks run on those: a group's own ranges and balances
 * always; the capabilities named, once every seller group was read; fault
 * targets, once every group and the top-level fields were read; the market's
 * size, money, node names and `network.file`, once the top-level fields were
 * read (what failed only adds to them). Sweep paths wait for a valid file.
 */
export function checkRefused(doc: unknown, issues: readonly z.core.$ZodIssue[]): ScenarioIssue[] {
  const rest = withoutUnknownKeys(doc, issues);
  const parsed = scenarioSchema.safeParse(rest);
  return parsed.success ? crossChecks(parsed.data) : checkParts(rest);
}

type Doc = Record<string, unknown>;
const isDoc = (x: unknown): x is Doc => x !== null && typeof x === 'object' && !Array.isArray(x);

/** A copy of plain objects and lists (other values shared). */
function copy(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(copy);
  if (isDoc(x)) return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, copy(v)]));
  return x;
}

/** `doc` without the keys the schema did not know. */
function withoutUnknownKeys(doc: unknown, issues: readonly z.core.$ZodIssue[]): unknown {
  const out = copy(doc);
  for (const i of issues) {
    if (i.code !== 'unrecognized_keys') continue;
    let at: unknown = out;
    for (const k of i.path) at = isDoc(at) || Array.isArray(at) ? (at as Doc)[k as string] : undefined;
    if (isDoc(at)) for (const k of i.keys) delete at[k];
  }
  return out;
}

/** The items of a list that pass `schema`, each with its index in the file; `whole` when all did. */
function readEach<T>(x: unknown, schema: z.ZodType<T>, required: boolean) {
  const read: T[] = [];
  const at: number[] = [];
  if (!Array.isArray(x)) return { read, at, whole: x === undefined && !required };
  x.forEach((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) {
      read.push(r.data);
      at.push(i);
    }
  });
  return { read, at, whole: read.length === x.length && (x.length > 0 || !required) };
}

const LISTS = { sellers: true, buyers: true, resellers: true, faults: true } as const;
const topSchema = scenarioSchema.omit(LISTS);

/** The checks on the groups that pass their own schema, as far as what failed allows (see `checkRefused`). */
function checkParts(doc: unknown): ScenarioIssue[] {
  const d = isDoc(doc) ? doc : {};
  const sellers = readEach(d.sellers, sellerSchema, true);
  const buyers = readEach(d.buyers, buyerSchema, false);
  const resellers = readEach(d.resellers, resellerSchema, false);
  const faults = readEach(d.faults, faultSchema, false);
  const groups = { sellers: sellers.read, buyers: buyers.read, resellers: resellers.read };
  const whole = { sellers: sellers.whole, groups: sellers.whole && buyers.whole && resellers.whole };
  const top = topSchema.safeParse(Object.fromEntries(Object.entries(d).filter(([k]) => !(k in LISTS))));
  let issues = checkGroups(groups, whole.sellers);
  if (top.success) {
    const s: Scenario = { ...top.data, ...groups, faults: faults.read };
    issues = [...checkScenario(s, whole), ...checkFiles(s)];
  }
  const index = { sellers: sellers.at, buyers: buyers.at, resellers: resellers.at, faults: faults.at };
  return issues.map((i) => ({ path: renumber(i.path, index), message: renumber(i.message, index) }));
}

/** A path or message about the groups read, with each `sellers[k]` (and so on) numbered as in the file. */
function renumber(text: string, index: Record<keyof typeof LISTS, number[]>): string {
  return text.replace(
    /\b(sellers|buyers|resellers|faults)\[(\d+)\]/g,
    (all, list: keyof typeof LISTS, k: string) => `${list}[${index[list][Number(k)] ?? k}]`,
  );
}
