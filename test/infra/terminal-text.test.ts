/**
 * Text another party wrote, made safe to print (infra/terminal-text.ts): each
 * control, lone surrogate, line or paragraph separator and bidi control is
 * shown as its `\u` escape, everything else is kept, and a cut keeps the bound.
 */
import { describe, expect, it } from 'vitest';
import { terminalSafe, terminalSafeLines, UNSAFE_CHAR } from '../../infra/terminal-text.js';

describe('terminalSafe', () => {
  it.each([
    [
      'C0: carriage return, escape, bell, NUL, tab, newline',
      '\r\u001b\u0007\u0000\t\n',
      '\\u000d\\u001b\\u0007\\u0000\\u0009\\u000a',
    ],
    ['DEL and C1 (8-bit CSI, NEL)', '\u007f\u009b\u0085', '\\u007f\\u009b\\u0085'],
    [
      'bidi controls',
      '\u061c\u200e\u200f\u202a\u202e\u2066\u2069',
      '\\u061c\\u200e\\u200f\\u202a\\u202e\\u2066\\u2069',
    ],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['lone surrogates', 'x\ud800y\udfffz', 'x\\ud800y\\udfffz'],
  ])('shows %s as \\u escapes', (_, text, shown) => {
    expect(terminalSafe(text)).toBe(shown);
  });

  it('keeps printable text as it is: accents, CJK, emoji (a surrogate pair), quotes, backslashes', () => {
    const text = 'café 東京 📦 "q" \\u001b';
    expect(terminalSafe(text)).toBe(text);
  });

  it('cuts at maxChars with an ellipsis, escaping the half of a pair the cut leaves', () => {
    expect(terminalSafe('abcdef', 3)).toBe('abc…');
    expect(terminalSafe('abc', 3)).toBe('abc');
    expect(terminalSafe('a📦b', 2)).toBe('a\\ud83d…');
  });

  it('leaves no unsafe character behind', () => {
    const all = Array.from({ length: 0x10000 }, (_, i) => String.fromCharCode(i)).join('');
    expect(UNSAFE_CHAR.exec(terminalSafe(all))).toBeNull();
  });
});

describe('terminalSafeLines', () => {
  it('keeps the line breaks of a multi-line message and escapes what is in each line, a carriage return too', () => {
    expect(terminalSafeLines('failed: a\u001b[2J\nb\r\u001b[2Kok\n')).toBe(
      'failed: a\\u001b[2J\nb\\u000d\\u001b[2Kok\n',
    );
  });
});
