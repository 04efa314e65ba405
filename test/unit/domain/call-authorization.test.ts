import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorizeCall } from '../../../src/domain/call-authorization.js';
import { allEmergencyNumbers, dialledDigits, emergencyCheck, emergencyNumbers, EmergencyNumbersError, type EmergencyNumbers } from '../../../src/domain/emergency-numbers.js';

/** The emergency-number rule written plainly: the oracle emergencyCheck is held to. */
function isEmergencyNumber(table: EmergencyNumbers, callee: string, callerCountry?: string | null): boolean {
  const digits = dialledDigits(callee);
  if (!/^[0-9]{2,6}$/.test(digits)) return false;
  const own = callerCountry ? table.get(callerCountry.toUpperCase()) : undefined;
  if (own) return own.includes(digits);
  return allEmergencyNumbers(table).has(digits);
}
const checked = (table: EmergencyNumbers, callee: string, country: string | null) => emergencyCheck(table)(callee, () => country);

const hold = { id: 'h-1', reason: 'fraud' as const, source: 'rule:irsf-destinations' as const, since: '2026-11-24T21:09:16Z' };

describe('emergency numbers', () => {
  const table = emergencyNumbers();
  it.each([
    ['999', 'GB', true],
    ['112', 'GB', true],
    ['112', 'FR', true],
    ['911', 'US', true],
    ['911', 'CA', true],
    ['000', 'AU', true],
    ['999', 'US', false],
    ['000', 'GB', false],
    ['911', null, true],
    ['000', null, true],
    ['sip:999@switch.example', 'GB', true],
    ['tel:112', null, true],
    ['9999', 'GB', false],
    ['+44999', 'GB', false],
  ] as const)('%s dialled from %s is an emergency number: %s', (callee, country, expected) => {
    expect(checked(table, callee, country)).toBe(expected);
  });

  it('EMERGENCY_NUMBERS replaces the lists of the countries it names and keeps the others', () => {
    const t = emergencyNumbers('GB:999,112,911;NZ:111');
    expect(checked(t, '911', 'GB')).toBe(true);
    expect(checked(t, '111', 'NZ')).toBe(true);
    expect(checked(t, '911', 'US')).toBe(true);
  });

  it('emergencyCheck answers as the set lookup then isEmergencyNumber, and asks the caller country only for a listed number', () => {
    const piece = fc.oneof(
      fc.constantFrom('999', '112', '911', '000', '111', '123456', '1234567', '9', '+', '*', '#', ' ', '-', '(', ')', '.', '@', 'sip:', 'SIP:', 'tel:', 'Tel:', 'host', 'x', ':', '_'),
      fc.stringMatching(/^[A-Za-z0-9+*#:@._\- ()]{0,4}$/),
    );
    const callee = fc.array(piece, { maxLength: 8 }).map((a) => a.join(''));
    for (const t of [table, emergencyNumbers('GB:999,112,911;NZ:111;FR:123456')]) {
      const check = emergencyCheck(t);
      const all = allEmergencyNumbers(t);
      fc.assert(
        fc.property(callee, fc.constantFrom(null, 'GB', 'gb', 'US', 'FR', 'NZ', 'AU', 'JP'), (c, country) => {
          let asked = 0;
          const got = check(c, () => (asked++, country));
          expect(got).toBe(all.has(dialledDigits(c)) && isEmergencyNumber(t, c, country));
          expect(asked).toBe(all.has(dialledDigits(c)) && /^[0-9]{2,6}$/.test(dialledDigits(c)) ? 1 : 0);
        }),
        { numRuns: 2_000 },
      );
    }
    const check = emergencyCheck(table);
    expect(check(' sip:999@switch.example', () => 'GB')).toBe(true);
    expect(check('tel:9-9-9', () => null)).toBe(true);
    expect(check('+442079460000', () => { throw new Error('not asked'); })).toBe(false);
  });

  it('a malformed EMERGENCY_NUMBERS names the bad part', () => {
    expect(() => emergencyNumbers('GB=999')).toThrow(EmergencyNumbersError);
    expect(() => emergencyNumbers('GB:99x')).toThrow(/GB:99x/);
  });
});

describe('authorizeCall', () => {
  it('an unknown account is allowed with the reason "unknown account"', () => {
    expect(authorizeCall(null, false)).toEqual({ allow: true, reason: 'unknown account', holds: [], inheritedFrom: [], emergency: false });
  });
  it('an active account is allowed', () => {
    expect(authorizeCall({ status: 'active', holds: [], inheritedFrom: [] }, false)).toMatchObject({ allow: true, reason: 'active' });
  });
  it('a suspended account is denied, naming its holds and the ancestors it inherits from', () => {
    const out = authorizeCall({ status: 'suspended', holds: [hold], inheritedFrom: ['chan-7'] }, false);
    expect(out).toEqual({
      allow: false,
      reason: 'suspended: fraud hold by rule:irsf-destinations; inherited from chan-7',
      holds: [hold],
      inheritedFrom: ['chan-7'],
      emergency: false,
    });
  });
  it('a suspended account may still call an emergency number', () => {
    const out = authorizeCall({ status: 'suspended', holds: [], inheritedFrom: ['chan-7'] }, true);
    expect(out).toMatchObject({ allow: true, emergency: true, inheritedFrom: ['chan-7'] });
    expect(out.reason).toMatch(/^emergency number/);
  });
});
