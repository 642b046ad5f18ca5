import { z } from 'zod';
import { UNSAFE_CHAR } from '../../infra/terminal-text.js';

/**
 * Why `text` is not safe listing text, or undefined when it is. Listings are
 * shown to buyers, operators and logs, so their text must read as what it is:
 * none of the unsafe characters of infra/terminal-text.ts (control characters,
 * lone surrogates, line and paragraph separators, bidi controls).
 */
export function unsafeTextReason(text: string): string | undefined {
  const found = UNSAFE_CHAR.exec(text);
  if (!found) return undefined;
  const code = found[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
  return `contains U+${code} at index ${found.index}; control, bidi and line-separator characters are not allowed`;
}

/**
 * Why `url` is not a listing URL, or undefined when it is: an absolute
 * http(s) URL of safe text, without whitespace, credentials (`user:pw@`) or
 * a fragment (the registry and buyers fetch it; neither belongs there).
 */
export function listingUrlReason(url: string): string | undefined {
  const unsafe = unsafeTextReason(url);
  if (unsafe) return unsafe;
  if (/\s/.test(url)) return 'must not contain whitespace';
  if (!URL.canParse(url)) return 'must be an absolute http(s) URL';
  const u = new URL(url);
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an absolute http(s) URL';
  if (u.username || u.password) return 'must not carry credentials (user:password@)';
  if (url.includes('#')) return 'must not have a fragment (#...)';
  return undefined;
}

/** A zod string checked by `reason` (undefined: fine), its message naming the problem. */
function checked(base: z.ZodString, reason: (s: string) => string | undefined): z.ZodString {
  return base.superRefine((s, ctx) => {
    const why = reason(s);
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: why });
  });
}

/** Free text of a listing (name, description, tier name): length-limited safe text. */
export const listingText = (min: number, max: number) =>
  checked(z.string().min(min).max(max), unsafeTextReason);

/** A listing's URL. */
export const listingUrl = checked(z.string().max(2048), listingUrlReason);
