// Text from the server made safe for a terminal: control characters, line separators, unpaired surrogates and
// bidirectional overrides are shown as escapes (\r, \n, \t, \x1b, \u202e), so an account name can neither move the
// cursor (a CR that overwrites the STATUS column), start an escape sequence, nor reorder what is printed after it.
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\p{Cs}\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escape(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `text` with every unsafe character escaped; a backslash stays as it is. */
export function printable(text: string): string {
  return text.replace(UNSAFE, escape);
}
