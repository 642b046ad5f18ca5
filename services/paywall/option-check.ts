import { LabError } from '../../infra/errors.js';

/** Throws LabError('invalid_paywall_options', message) unless `cond`: every paywall option check's one refusal. */
export function check(cond: unknown, message: string): asserts cond {
  if (!cond) throw new LabError('invalid_paywall_options', message);
}

export const positiveInt = (v: unknown): boolean => typeof v === 'number' && Number.isSafeInteger(v) && v > 0;
