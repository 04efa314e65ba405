// Phone number normalisation to E.164 where possible (CONTRACT §2). Cheap string work only: this runs for every
// CDR on the hot path. It never guesses a country for a national number; such numbers are kept as received.
const SEPARATORS = /[\s\-().\/]/g;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * "+44 (0)20 7946-0000" -> "+442079460000"; "0088213000123" -> "+88213000123"; "tel:+1-202-555-0100" ->
 * "+12025550100". A number that does not come out as E.164 is returned trimmed, as received.
 */
export function normaliseE164(raw: string): string {
  const trimmed = raw.trim();
  if (E164.test(trimmed)) return trimmed;
  let s = trimmed.startsWith('tel:') ? trimmed.slice(4) : trimmed;
  // The UK-style "(0)" trunk hint after a country code is not part of the international number.
  if (s.startsWith('+') || s.startsWith('00')) s = s.replace(/\(0\)/, '');
  s = s.replace(SEPARATORS, '');
  if (s.startsWith('00')) s = `+${s.slice(2)}`;
  return E164.test(s) ? s : trimmed;
}
