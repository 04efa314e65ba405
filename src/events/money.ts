// Money on the wire -> integer micro-units (CONTRACT §2: a decimal string or a JSON number in major units, with up
// to 6 decimals). Owns the decimal parsing; it must never route an amount through binary floating-point arithmetic.
import { MICROS } from './types.js';

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

/** Formats micro-units as a decimal string in major units, with at least 2 decimals: 4_200_000 -> "4.20". */
export function formatMicros(micros: number): string {
  const abs = String(Math.abs(micros)).padStart(7, '0');
  const frac = abs.slice(-6).replace(/0+$/, '').padEnd(2, '0');
  return `${micros < 0 ? '-' : ''}${abs.slice(0, -6)}.${frac}`;
}

export { MICROS };
