// Frozen copy of src/rules/number-plan.ts as it was on main (8107d1c) before branches match9 and ring9 (imports of unchanged modules from src).
// libphonenumber-js's answer for an E.164 number (`parsePhoneNumberFromString(n)` then `getType()`, calling code,
// country), computed by the same steps over the same metadata, with every pattern compiled once. The library builds
// a `new RegExp` from the metadata's text at every match and allocates its Metadata, NumberingPlan and PhoneNumber
// objects per call: ~36 us a number here, against 0.2-0.6 us for these steps. Only what an E.164 string (`+`, then 6-15
// digits, the first not 0) can reach is mirrored: the calling code (1-3 digits), the national prefix for parsing,
// the country among those sharing the calling code (leading digits, else the first with a number type), the
// length limits and the number type. test/unit/rules/number-plan.test.ts compares it with the library over
// generated numbers of every calling code; a library upgrade that changes these steps fails that test. Pure: no
// I/O; the compiled plans are memos derived from the metadata.
import { Metadata } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/max/metadata';

/** What `parsePhoneNumberFromString` gives for an E.164 string: null when it gives undefined. */
export interface ParsedNumber {
  callingCode: string;
  /** The country it resolves to; null when none (non-geographic codes, or no country of a shared code claims it). */
  country: string | null;
  nationalNumber: string;
  /** `getType()`, upper case as the library spells it; null when it has none (invalid number). */
  type: string | null;
}

/** libphonenumber-js's number types in the order getNumberType tries them after FIXED_LINE. */
const NON_FIXED_LINE_TYPES = ['MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'] as const;
/** Every type getNumberType gives; numberType answers an index into it (-1: none). */
const TYPE_NAMES: readonly string[] = ['FIXED_LINE_OR_MOBILE', 'FIXED_LINE', ...NON_FIXED_LINE_TYPES];
const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_LENGTH_COUNTRY_CODE = 3;

interface TypeDef {
  /** Anchored as the library's matchesEntirely does: `^(?:pattern)$`. */
  pattern: RegExp;
  /** The type's possible lengths, else the plan's; null when neither says. */
  lengths: readonly number[] | null;
}

/** One numbering plan (a country's, or a non-geographic calling code's) with its patterns compiled. */
interface Plan {
  national: RegExp;
  lengths: readonly number[] | null;
  /** `^(?:nationalPrefixForParsing)`, or null. */
  prefixForParsing: RegExp | null;
  transformRule: string | undefined;
  /** Leading digits that claim a number for this country among those sharing its calling code. */
  leadingDigits: RegExp | null;
  /** Null when the type is absent or has no pattern (isNumberTypeEqualTo is then false). */
  fixedLine: TypeDef | null;
  mobile: TypeDef | null;
  /** getNumberType's two other MOBILE tests: the entry is absent, or present with an empty pattern. */
  mobileAbsent: boolean;
  mobileEmpty: boolean;
  /** `type`: its index in TYPE_NAMES. */
  others: { type: number; def: TypeDef }[];
}

interface CallingCode {
  code: string;
  /** getCountryCodesForCallingCode: undefined for a non-geographic code. */
  countries: readonly string[] | undefined;
  /** The plans of `countries`, in the same order. */
  countryPlans: readonly Plan[];
  /** The plan `selectNumberingPlan(code)` picks (the main country's, or the non-geographic one). */
  plan: Plan;
}

const regexCache = new Map<string, RegExp>();
function compiled(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) regexCache.set(source, (re = new RegExp(source)));
  return re;
}
/** The library's matchesEntirely(text, pattern), whose pattern may be undefined (it then matches "undefined"). */
const entire = (pattern: string | undefined) => compiled(`^(?:${pattern})$`);

/** The parts of libphonenumber-js's Metadata read here (its type declarations leave them out). */
interface MetadataApi {
  selectNumberingPlan(countryOrCode: string): MetadataApi;
  numberingPlan: PlanApi;
  hasCallingCode(code: string): boolean;
  getCountryCodesForCallingCode(code: string): string[] | undefined;
}
const newMetadata = () => new Metadata(metadata) as unknown as MetadataApi;
const meta = newMetadata();
const plans = new Map<string, Plan>();

/** The plan `selectNumberingPlan(countryOrCode)` selects, compiled once. */
function planOf(countryOrCode: string): Plan {
  let plan = plans.get(countryOrCode);
  if (plan) return plan;
  const np = newMetadata().selectNumberingPlan(countryOrCode).numberingPlan;
  const typeDef = (type: string): TypeDef | null => {
    const t = np.type(type);
    if (!t || !t.pattern()) return null; // isNumberTypeEqualTo is false for both
    const lengths = t.possibleLengths();
    return { pattern: entire(t.pattern()), lengths: lengths ?? null };
  };
  const prefix = np.nationalPrefixForParsing();
  const leading = np.leadingDigits();
  const mobileType = np.type('MOBILE');
  plan = {
    national: entire(np.nationalNumberPattern()),
    lengths: np.possibleLengths() ?? null,
    prefixForParsing: prefix ? compiled(`^(?:${prefix})`) : null,
    transformRule: np.nationalPrefixTransformRule(),
    leadingDigits: leading ? compiled(leading) : null,
    fixedLine: typeDef('FIXED_LINE'),
    mobile: typeDef('MOBILE'),
    mobileAbsent: !mobileType,
    mobileEmpty: !!mobileType && mobileType.pattern() === '',
    others: NON_FIXED_LINE_TYPES.flatMap((type) => {
      const def = typeDef(type);
      return def ? [{ type: TYPE_NAMES.indexOf(type), def }] : [];
    }),
  };
  plans.set(countryOrCode, plan);
  return plan;
}

/** The parts of libphonenumber-js's NumberingPlan read here. */
interface PlanApi {
  nationalNumberPattern(): string | undefined;
  possibleLengths(): number[] | undefined;
  nationalPrefixForParsing(): string | undefined;
  nationalPrefixTransformRule(): string | undefined;
  leadingDigits(): string | undefined;
  type(type: string): { pattern(): string | undefined; possibleLengths(): number[] | undefined } | undefined;
}

/** Calling code (as a number: codes have no leading zero) -> its entry, or null when unknown; filled on first use. */
const codes: (CallingCode | null | undefined)[] = new Array(1000).fill(undefined);

function callingCode(value: number): CallingCode | null {
  let entry = codes[value];
  if (entry !== undefined) return entry;
  const code = String(value);
  if (meta.hasCallingCode(code)) {
    const countries = meta.getCountryCodesForCallingCode(code);
    // classifyE164's ids hold a country index in 6 bits (the metadata's most, +1's, is 25)
    if (countries && countries.length > 62) throw new Error(`calling code ${code} has ${countries.length} countries`);
    entry = { code, countries, countryPlans: (countries ?? []).map(planOf), plan: planOf(code) };
  } else entry = null;
  codes[value] = entry;
  return entry;
}

/** isNumberTypeEqualTo: the type exists with a pattern, the length is possible for it, and the pattern matches. */
function isType(national: string, def: TypeDef | null): boolean {
  if (def === null) return false;
  if (def.lengths !== null && def.lengths.indexOf(national.length) < 0) return false;
  return def.pattern.test(national);
}

/** getNumberType for a national number under `plan`, as an index into TYPE_NAMES; -1 when none. */
function numberType(national: string, plan: Plan): number {
  if (!plan.national.test(national)) return -1;
  if (isType(national, plan.fixedLine)) {
    if (plan.mobileEmpty || plan.mobileAbsent || isType(national, plan.mobile)) return 0;
    return 1;
  }
  for (let i = 0; i < plan.others.length; i++) {
    const o = plan.others[i]!;
    if (isType(national, o.def)) return o.type;
  }
  return -1;
}

/** The number type countryIndex found on its way (its country's), else undefined: saves computing it twice. */
let typeFound: number | undefined;

/** getCountryByCallingCode, as an index into `cc.countries` (-1: none): the single country, else the first by
 * leading digits or with a number type. */
function countryIndex(cc: CallingCode, national: string): number {
  typeFound = undefined;
  const countries = cc.countries;
  if (!countries) return -1;
  if (countries.length === 1) return 0;
  for (let i = 0; i < countries.length; i++) {
    const plan = cc.countryPlans[i]!;
    if (plan.leadingDigits) {
      if (national.search(plan.leadingDigits) === 0) return i;
    } else {
      const type = numberType(national, plan);
      if (type >= 0) {
        typeFound = type;
        return i;
      }
    }
  }
  return -1;
}

/** checkNumberLength(national, country) is neither TOO_SHORT nor INVALID_LENGTH. */
function possibleIncomplete(national: string, plan: Plan): boolean {
  const lengths = plan.lengths;
  if (!lengths) return true;
  const n = national.length;
  if (lengths[0] === n) return true;
  if (lengths[0]! > n) return false;
  if (lengths[lengths.length - 1]! < n) return true; // TOO_LONG counts as possible here
  return lengths.indexOf(n, 1) >= 0;
}

/** extractNationalNumber: strips the national prefix for parsing when the library would. */
function nationalNumberOf(cc: CallingCode, number: string): string {
  const plan = cc.plan;
  if (!plan.prefixForParsing) return number;
  const match = plan.prefixForParsing.exec(number);
  if (!match) return number;
  const captured = match.length - 1;
  const hasCaptured = captured > 0 && !!match[captured];
  const national = plan.transformRule && hasCaptured ? number.replace(plan.prefixForParsing, plan.transformRule) : number.slice(match[0].length);
  if (national === number) return number;
  // shouldHaveExtractedNationalPrefix
  if (plan.national.test(number) && !plan.national.test(national)) return number;
  if (plan.lengths) {
    const k = countryIndex(cc, national);
    if (!possibleIncomplete(national, k >= 0 ? cc.countryPlans[k]! : plan)) return number;
  }
  return national;
}

/**
 * libphonenumber-js's parse of an E.164 string (`+`, then 6-15 digits, the first not 0; the caller checks), or null
 * where `parsePhoneNumberFromString` returns undefined.
 */
export function parseE164(number: string): ParsedNumber | null {
  const id = classifyE164(number);
  return id < 0 ? null : parsedOf(id, lastNational);
}

/** The national number of the last `classifyE164` that gave an answer. */
let lastNational = '';

/**
 * parseE164's answer but the national number, without making an object: -1 where it gives null, else an id of its
 * calling code, country and type (`parsedOf` spells them out), so a caller can keep answers per id (number-info.ts).
 */
export function classifyE164(number: string): number {
  let cc: CallingCode | null = null;
  let i = 2;
  let value = 0;
  for (; i - 1 <= MAX_LENGTH_COUNTRY_CODE && i <= number.length; i++) {
    const digit = number.charCodeAt(i - 1) - 48;
    if (digit < 0 || digit > 9) return -1; // not E.164: the caller's to check
    value = value * 10 + digit;
    cc = callingCode(value);
    if (cc) break;
  }
  if (!cc) return -1;
  const rest = number.slice(i);
  if (rest === '') return -1;
  const national = nationalNumberOf(cc, rest);
  const k = countryIndex(cc, national);
  if (national.length < MIN_LENGTH_FOR_NSN || national.length > MAX_LENGTH_FOR_NSN) return -1;
  const type = typeFound !== undefined ? typeFound : numberType(national, k >= 0 ? cc.countryPlans[k]! : cc.plan);
  lastNational = national;
  // bits 0-3: type + 1 (at most 12); 4-9: country index + 1 (a calling code has at most 25 countries); 10-19: the code
  return (value << 10) | ((k + 1) << 4) | (type + 1);
}

/** The calling code, country and type of a `classifyE164` id, with `nationalNumber`. */
export function parsedOf(id: number, nationalNumber: string): ParsedNumber {
  const cc = callingCode(id >> 10)!;
  const k = ((id >> 4) & 63) - 1;
  const type = id & 15;
  return { callingCode: cc.code, country: k >= 0 ? cc.countries![k]! : null, nationalNumber, type: type === 0 ? null : TYPE_NAMES[type - 1]! };
}
