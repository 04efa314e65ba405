// Emergency numbers per country (CONTRACT §1: emergency calls are always allowed, even from a suspended account).
// Owns: the default lists, parsing the `EMERGENCY_NUMBERS` override, and deciding whether a dialled number is one.
// Pure: no I/O, no clock. The caller's country (when known) is found by the caller of `emergencyCheck`, and asked only for a listed number.
//
// Override format: `CC:num,num;CC:num` with ISO 3166 alpha-2 codes, or `EU` for every EU member state, e.g.
// `GB:999,112;EU:112;US:911;CA:911;AU:000,112`. An override replaces the defaults of the countries it names and
// keeps the others.

/** EU member states (ISO 3166 alpha-2), for the `EU` group key. */
export const EU_COUNTRIES: readonly string[] = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT', 'LV', 'LT', 'LU', 'MT',
  'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
];

export type EmergencyNumbers = ReadonlyMap<string, readonly string[]>;

export const DEFAULT_EMERGENCY_SPEC = 'GB:999,112;EU:112;US:911;CA:911;AU:000';

export class EmergencyNumbersError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmergencyNumbersError';
  }
}

function parseSpec(spec: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of spec.split(';').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = /^([A-Za-z]{2}):([0-9,\s]+)$/.exec(part);
    if (!m) throw new EmergencyNumbersError(`EMERGENCY_NUMBERS: "${part}" must be CC:number[,number...] (e.g. GB:999,112)`);
    const numbers = m[2]!.split(',').map((n) => n.trim()).filter((n) => n !== '');
    if (numbers.length === 0 || numbers.some((n) => !/^[0-9]{2,6}$/.test(n))) {
      throw new EmergencyNumbersError(`EMERGENCY_NUMBERS: "${part}" needs numbers of 2 to 6 digits`);
    }
    const code = m[1]!.toUpperCase();
    for (const country of code === 'EU' ? EU_COUNTRIES : [code]) {
      out.set(country, [...new Set([...(out.get(country) ?? []), ...numbers])]);
    }
  }
  return out;
}

/** The defaults, with the countries named in `override` (if any) replaced. Throws EmergencyNumbersError. */
export function emergencyNumbers(override?: string): EmergencyNumbers {
  const table = parseSpec(DEFAULT_EMERGENCY_SPEC);
  if (override !== undefined && override.trim() !== '') for (const [k, v] of parseSpec(override)) table.set(k, v);
  return table;
}

/** Every number of every country, for a caller whose country is unknown. */
export function allEmergencyNumbers(table: EmergencyNumbers): ReadonlySet<string> {
  return new Set([...table.values()].flat());
}

/** The dialled string without a `sip:`/`tel:` scheme, a `@host` part, spaces, dashes, dots or brackets. */
export function dialledDigits(callee: string): string {
  return callee.trim().replace(/^(sip:|tel:)/i, '').split('@')[0]!.replace(/[\s\-().]/g, '');
}

// Characters dialledDigits never removes (it drops white space, - ( ) . and a sip:/tel: prefix, and cuts at `@`).
const isPlain = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 43 || c === 42 || c === 35;

/**
 * Whether `callee` is an emergency number: its digits (spaces, dashes and a `tel:`/`sip:` user part tolerated) equal
 * one of the numbers of the caller's country, or of any country when that is unknown or has no list, so that an
 * emergency call is never refused for want of a country. The table's sets are made once, for a question asked on
 * every call set-up. `callerCountry` is called only when
 * the callee's digits are on some list (finding a caller's country costs a phone-number parse). A callee with more
 * plain characters before any `@` than the longest number plus a prefix (a full telephone number: nearly every
 * call) is refused without building its digits.
 */
export function emergencyCheck(table: EmergencyNumbers): (callee: string, callerCountry: () => string | null) => boolean {
  const all = allEmergencyNumbers(table);
  const byCountry = new Map([...table].map(([country, numbers]) => [country, new Set(numbers)]));
  let longest = 0;
  for (const n of all) longest = Math.max(longest, n.length);
  // dialledDigits keeps every plain character before the `@` but the (at most 3 plain) letters of its prefix.
  const mostPlain = longest + 3;
  return (callee, callerCountry) => {
    let plain = 0;
    for (let i = 0; i < callee.length; i++) {
      const c = callee.charCodeAt(i);
      if (c === 64) break;
      if (isPlain(c) && ++plain > mostPlain) return false;
    }
    const digits = dialledDigits(callee);
    if (!all.has(digits) || !/^[0-9]{2,6}$/.test(digits)) return false;
    const country = callerCountry();
    const own = country ? byCountry.get(country.toUpperCase()) : undefined;
    return own ? own.has(digits) : true;
  };
}
