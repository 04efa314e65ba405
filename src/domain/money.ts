// Money as the daemon keeps it: integer micro-units (1 major unit = 1_000_000). The one place that turns decimal
// text (wire records, rule files, templates) into micro-units and back. Pure; it must never route an amount through
// binary floating-point arithmetic.
export const MICROS = 1_000_000;
const BIG_MICROS = 1_000_000n;

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d*))?$/;
const LEADING_DOT = /^([+-]?)\.(\d+)$/;

export type MoneyError = 'not_decimal' | 'too_precise' | 'too_large';

/**
 * Parses "12.34", "-0.5", "7" (or a JSON number) into micro-units, by string arithmetic.
 * A JSON number arrives already parsed; its shortest round-trip text (String(n)) equals the source text whenever
 * the source had at most 15 significant digits, so beyond that (or in exponent form) it is refused as ambiguous
 * rather than guessed.
 */
export function parseMoneyMicros(input: string | number): number | MoneyError {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return 'not_decimal';
    text = String(input);
    if (text.includes('e')) return Math.abs(input) < 1 ? 'too_precise' : 'too_large';
    if (text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').length > 15) return 'too_precise';
  } else {
    text = input.trim();
  }
  let m = DECIMAL.exec(text);
  let sign: string;
  let whole: string;
  let frac: string;
  if (m) {
    sign = m[1]!;
    whole = m[2]!;
    frac = m[3] ?? '';
  } else {
    m = LEADING_DOT.exec(text);
    if (!m) return 'not_decimal';
    sign = m[1]!;
    whole = '0';
    frac = m[2]!;
  }
  // Trailing zeros beyond six decimals carry no value ("1.2300000" is fine); anything else is too precise.
  if (frac.length > 6) {
    if (!/^0*$/.test(frac.slice(6))) return 'too_precise';
    frac = frac.slice(0, 6);
  }
  const digits = (whole.replace(/^0+(?=\d)/, '') + frac.padEnd(6, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > 16) return 'too_large';
  const micros = Number(digits); // an integer string of <= 16 digits: exact when <= MAX_SAFE_INTEGER
  if (!Number.isSafeInteger(micros)) return 'too_large';
  return sign === '-' && micros !== 0 ? -micros : micros;
}

/**
 * Formats micro-units as a decimal string in major units, with at least 2 decimals and more only when they are not
 * zero: 4_200_000 -> "4.20". `grouping` adds thousands separators for people ("1,234.50").
 */
export function formatMicros(micros: number | bigint, opts: { grouping?: boolean } = {}): string {
  const v = BigInt(micros);
  const negative = v < 0n;
  const abs = negative ? -v : v;
  let whole = (abs / BIG_MICROS).toString();
  if (opts.grouping) whole = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const frac = (abs % BIG_MICROS).toString().padStart(6, '0').replace(/0+$/, '').padEnd(2, '0');
  return `${negative ? '-' : ''}${whole}.${frac}`;
}
