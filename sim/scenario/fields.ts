import { z } from 'zod';

/**
 * The field types scenario files are made of: integers, msat amounts,
 * fractions, names and the latency and value distributions. Each carries an
 * error that names what was expected, so a bad file fails with
 * `path: reason`.
 */

/** A positive integer. */
export const posInt = (what = 'a positive integer') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .positive({ error: `expected ${what}` });
/** A non-negative integer. */
export const nonNegInt = (what = 'a non-negative integer') =>
  z
    .number({ error: `expected ${what}` })
    .int({ error: `expected ${what}` })
    .min(0, { error: `expected ${what}` });
/** An integer number of msat, safe as a JS number. */
export const msat = () =>
  nonNegInt('a non-negative integer number of msat').max(Number.MAX_SAFE_INTEGER, {
    error: 'expected a safe integer number of msat',
  });
/** A number above 0. */
export const positiveNumber = (what = 'a positive number') =>
  z.number({ error: `expected ${what}` }).positive({ error: `expected ${what}` });
/** A number in [0, 1]. */
export const fraction = () =>
  z
    .number({ error: 'expected a number between 0 and 1' })
    .min(0, { error: 'expected a number between 0 and 1' })
    .max(1, {
      error: 'expected a number between 0 and 1',
    });
/** A lowercase name (letters, digits, dashes) of a group in the scenario. */
export const name = () =>
  z
    .string({ error: 'expected a name' })
    .regex(/^[a-z][a-z0-9-]*$/, { error: 'expected a lowercase name of letters, digits and dashes' });

/** A latency distribution in ms: a constant, or a normal draw clipped at 0. */
export const latencySchema = z.union(
  [
    nonNegInt('a non-negative integer number of ms'),
    z.strictObject({ meanMs: nonNegInt(), sdMs: nonNegInt().default(0) }),
  ],
  { error: 'expected a number of ms or { meanMs, sdMs }' },
);

/** A value distribution in msat (what finishing one task is worth to a buyer). */
export const valueSchema = z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('fixed'), msat: msat() }),
  z.strictObject({ dist: z.literal('uniform'), minMsat: msat(), maxMsat: msat() }),
  z.strictObject({ dist: z.literal('normal'), meanMsat: msat(), sdMsat: msat() }),
]);
