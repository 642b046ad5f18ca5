/**
 * The one caveat reader. The verifier, attenuation (and minting) and the
 * buyer's view of its own token all read a caveat chain here, with the same
 * split, the same satisfiers and the same meaning.
 *
 * Caveat values are opaque bytes, as in Go's macaroon package and Aperture:
 * the chain is split at the first '=' byte, a condition nobody knows is
 * skipped whatever its bytes, and a value is decoded as text only by the
 * satisfier that reads it, so a value that is not UTF-8 fails that satisfier
 * ('invalid_caveat') and nothing else.
 */
import { CONDITION_SUFFIX, SERVICES_CONDITION } from './caveat.js';
import { satisfiersFor, servicesSatisfier, type Satisfier } from './satisfier.js';
import { LabError } from '../errors.js';

const EQ = 0x3d;
const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8 = new TextEncoder();
const SUFFIXES = Object.values(CONDITION_SUFFIX);

/** One occurrence of a known condition: its parsed value and where it sits in the chain. */
export interface CaveatOccurrence {
  satisfier: Satisfier;
  value: unknown;
  /** Position in the caveat list (the chain signature after it is entry `index + 1`). */
  index: number;
}

/** Finds the satisfier for a condition (undefined: an unknown caveat, skipped). */
export type SatisfierLookup = (condition: string) => Satisfier | undefined;

/** The satisfier for a condition of any service, or undefined for caveats nobody knows. */
export function satisfierForCondition(condition: string): Satisfier | undefined {
  if (condition === SERVICES_CONDITION) return servicesSatisfier;
  const suffix = SUFFIXES.find((s) => condition.endsWith(s) && condition.length > s.length);
  if (!suffix) return undefined;
  return serviceSatisfiers(condition.slice(0, -suffix.length)).lookup(condition);
}

/** The satisfiers of one service: the list in check order and the same satisfiers by condition. */
export interface ServiceSatisfiers {
  readonly list: readonly Satisfier[];
  readonly lookup: SatisfierLookup;
}

/** Services whose satisfiers are kept built (the oldest leaves when full). */
export const SERVICE_SATISFIERS_KEPT = 64;
const built = new Map<string, ServiceSatisfiers>();

/**
 * The satisfiers of `service`, built once per service name: satisfiers are
 * stateless code named by their condition, so the same name always gives
 * the same satisfiers and a kept set is never out of date.
 */
export function serviceSatisfiers(service: string): ServiceSatisfiers {
  const kept = built.get(service);
  if (kept) return kept;
  const list = Object.freeze(satisfiersFor(service));
  const byCondition = new Map(list.map((s) => [s.condition, s]));
  const made: ServiceSatisfiers = { list, lookup: (condition) => byCondition.get(condition) };
  if (built.size >= SERVICE_SATISFIERS_KEPT) built.delete(built.keys().next().value!);
  built.set(service, made);
  return made;
}

/** The satisfiers of one service, as a lookup. */
export function satisfiersOf(service: string): SatisfierLookup {
  return serviceSatisfiers(service).lookup;
}

/** Caveat text as the bytes a macaroon signs. */
export function caveatBytes(text: string): Uint8Array {
  return utf8.encode(text);
}

/**
 * Reads a chain: each caveat split at the first '=', its condition trimmed;
 * a caveat without '=' or whose condition is unknown (or not text) is skipped.
 * Each known occurrence is parsed and must narrow the one before it, and a
 * condition occurs at most its satisfier's `maxOccurrences` times.
 * Returns the occurrences by condition, in chain order.
 * Throws L402Error('invalid_caveat' | 'widening_caveat').
 */
export function readCaveats(
  chain: readonly Uint8Array[],
  lookup: SatisfierLookup,
): Map<string, CaveatOccurrence[]> {
  const byCondition = new Map<string, CaveatOccurrence[]>();
  chain.forEach((bytes, index) => {
    const eq = bytes.indexOf(EQ);
    if (eq < 0) return;
    const condition = text(bytes.subarray(0, eq))?.trim();
    const satisfier = condition ? lookup(condition) : undefined;
    if (!condition || !satisfier) return;
    const raw = text(bytes.subarray(eq + 1));
    if (raw === undefined) throw new LabError('invalid_caveat', `${condition}: value is not UTF-8 text`);
    const value = satisfier.parse(raw.trim());
    const list = byCondition.get(condition) ?? [];
    checkNext(satisfier, condition, list, value);
    list.push({ satisfier, value, index });
    byCondition.set(condition, list);
  });
  return byCondition;
}

/** Throws when `value` widens the last occurrence in `list`, or would be one occurrence too many. */
function checkNext(s: Satisfier, condition: string, list: readonly CaveatOccurrence[], value: unknown): void {
  const prev = list[list.length - 1];
  if (prev) s.satisfyPrevious(prev.value, value);
  if (s.maxOccurrences !== undefined && list.length >= s.maxOccurrences)
    throw new LabError(
      'invalid_caveat',
      `${condition}: more than ${s.maxOccurrences} of these caveats in one token; attenuate from a copy with fewer`,
    );
}

function text(bytes: Uint8Array): string | undefined {
  try {
    return utf8Strict.decode(bytes);
  } catch {
    return undefined;
  }
}
