import { reservationIssuer, type Decision, type PaymentPolicy, type Offer } from './types.js';

/** What a list matches on; every field is optional, hosts compare case-insensitively. */
export interface ListParams {
  services?: string[];
  payees?: string[];
  hosts?: string[];
  categories?: string[];
}

type Dimension = { field: string; values: Set<string>; of: (q: Offer) => string | undefined };

function dimensions(p: ListParams): Dimension[] {
  const dims: Dimension[] = [];
  const add = (field: string, values: string[] | undefined, of: Dimension['of'], norm = (s: string) => s) => {
    if (values) dims.push({ field, values: new Set(values.map(norm)), of: (q) => normOpt(of(q), norm) });
  };
  const lower = (s: string) => s.toLowerCase();
  add('service', p.services, (q) => q.service);
  add('payee', p.payees, (q) => q.payee, lower);
  add('host', p.hosts, (q) => q.host, lower);
  add('category', p.categories, (q) => q.category);
  return dims;
}

function normOpt(v: string | undefined, norm: (s: string) => string): string | undefined {
  return v === undefined ? undefined : norm(v);
}

/**
 * Pays only sellers on the list: every dimension given (services, payees,
 * hosts, categories) must contain the offer's value. An unknown value (no
 * service name, say) is not on the list.
 */
export function allowlist(params: ListParams): PaymentPolicy {
  const dims = dimensions(params);
  const issue = reservationIssuer('allowlist');
  return {
    name: 'allowlist',
    authorize(q, ctx): Decision {
      for (const d of dims) {
        const v = d.of(q);
        if (v === undefined || !d.values.has(v)) {
          return {
            kind: 'deny',
            outcome: 'policy_denied',
            policy: 'allowlist',
            reason: `allowlist: ${d.field} ${v === undefined ? '(unknown)' : `'${v}'`} is not allowed`,
          };
        }
      }
      return { kind: 'allow', reservation: issue(q.amountMsat + q.maxFeeMsat, ctx.nowMs) };
    },
    settle: () => {},
    release: () => {},
    describe: () => `allowlist: ${JSON.stringify(params)}`,
  };
}

/** Never pays a seller that matches any listed service, payee, host or category. */
export function denylist(params: ListParams): PaymentPolicy {
  const dims = dimensions(params);
  const issue = reservationIssuer('denylist');
  return {
    name: 'denylist',
    authorize(q, ctx): Decision {
      for (const d of dims) {
        const v = d.of(q);
        if (v !== undefined && d.values.has(v)) {
          return {
            kind: 'deny',
            outcome: 'policy_denied',
            policy: 'denylist',
            reason: `denylist: ${d.field} '${v}' is denied`,
          };
        }
      }
      return { kind: 'allow', reservation: issue(q.amountMsat + q.maxFeeMsat, ctx.nowMs) };
    },
    settle: () => {},
    release: () => {},
    describe: () => `denylist: ${JSON.stringify(params)}`,
  };
}
