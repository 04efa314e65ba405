// Money formatting for dunning emails and evidence: integer micro-units to a decimal string in major units.
// Never uses binary floating point for the amount.
const MICROS = 1_000_000n;

/** 120_500_000 -> "120.50"; keeps up to 6 decimals, at least 2. */
export function formatMicros(micros: number | bigint): string {
  const v = BigInt(micros);
  const neg = v < 0n;
  const abs = neg ? -v : v;
  const whole = abs / MICROS;
  let frac = (abs % MICROS).toString().padStart(6, '0').replace(/0+$/, '');
  if (frac.length < 2) frac = frac.padEnd(2, '0');
  return `${neg ? '-' : ''}${whole}.${frac}`;
}
