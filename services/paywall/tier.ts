/** One configured tier of the paywall, checked, with what every token and invoice of it starts with. */
import { LabError } from '../../infra/errors.js';
import { caveats } from '../../infra/l402/index.js';
import { invoiceMemoProblem } from '../../infra/lightning/invoice-request.js';
import { check, positiveInt } from './option-check.js';
import type { L402PaywallOptions, PaywallTier } from './options.js';

/** A tier with its caveats (apart from valid_until, which depends on the clock) computed once. */
export interface ResolvedTier extends PaywallTier {
  name: string;
  pricedCalls: number;
  /** Its invoices' memo: `options.memo`, else `<service> tier <n>` (checked as every backend takes it). */
  memo: string;
  /** Caveats every token of this tier starts with, in order. */
  baseCaveats: string[];
}

/** One tier checked (`where` names it in errors; `seen` catches a tier configured twice) with its base caveats. */
export function resolveTier(
  o: L402PaywallOptions,
  t: PaywallTier,
  where: string,
  granted: string[] | undefined,
  seen: Set<number>,
): ResolvedTier {
  check(
    Number.isInteger(t.tier) && t.tier >= 0 && t.tier <= 255,
    `${where}.tier must be an integer 0..255, got ${t.tier}`,
  );
  check(!seen.has(t.tier), `tier ${t.tier} is configured twice`);
  seen.add(t.tier);
  check(
    typeof t.price === 'function' || (positiveInt(t.price) && Number.isSafeInteger(t.price)),
    `${where}.price must be a positive integer msat or a function, got ${String(t.price)}`,
  );
  for (const k of ['maxCalls', 'tokenLifetimeSec', 'pricedCalls'] as const)
    if (t[k] !== undefined) check(positiveInt(t[k]), `${where}.${k} must be a positive integer, got ${t[k]}`);
  // Building the caveats here also validates methods/pathPrefix/capabilities through infra/l402.
  let baseCaveats: string[];
  try {
    baseCaveats = [caveats.services([{ name: o.service, tier: t.tier }])];
    if (granted) baseCaveats.push(caveats.capabilities(o.service, granted));
    if (o.methods) baseCaveats.push(caveats.methods(o.service, o.methods));
    if (o.pathPrefix !== undefined) baseCaveats.push(caveats.pathPrefix(o.service, o.pathPrefix));
    if (t.maxCalls !== undefined) baseCaveats.push(caveats.maxCalls(o.service, t.maxCalls));
  } catch (err) {
    throw new LabError('invalid_paywall_options', `${where}: ${(err as Error).message}`, { cause: err });
  }
  const memo = o.memo ?? `${o.service} tier ${t.tier}`;
  const memoName =
    o.memo === undefined
      ? `the default memo of tier ${t.tier} ("<service> tier ${t.tier}"; set options.memo or shorten options.service)`
      : 'options.memo';
  const problem = invoiceMemoProblem(memo, memoName);
  check(problem === undefined, problem!);
  return {
    ...t,
    name: t.name ?? `tier ${t.tier}`,
    pricedCalls: t.pricedCalls ?? t.maxCalls ?? 1,
    memo,
    baseCaveats,
  };
}
