import { describe, expect, it } from 'vitest';
import { normaliseE164 } from '../../../src/events/phone.js';

describe('E.164 normalisation', () => {
  it('keeps numbers that are already E.164', () => {
    expect(normaliseE164('+441632960001')).toBe('+441632960001');
  });
  it('strips spaces, dashes, dots and parentheses', () => {
    expect(normaliseE164('+44 1632 960-001')).toBe('+441632960001');
    expect(normaliseE164('+1 (202) 555.0100')).toBe('+12025550100');
  });
  it('turns the 00 international prefix into +', () => {
    expect(normaliseE164('0088213000123')).toBe('+88213000123');
    expect(normaliseE164('00 44 20 7946 0000')).toBe('+442079460000');
  });
  it('drops the (0) trunk hint after a country code', () => {
    expect(normaliseE164('+44 (0)20 7946 0000')).toBe('+442079460000');
  });
  it('accepts tel: URIs', () => {
    expect(normaliseE164('tel:+1-202-555-0100')).toBe('+12025550100');
  });
  it('keeps national and unparseable numbers as received, trimmed', () => {
    expect(normaliseE164(' 020 7946 0000 ')).toBe('020 7946 0000');
    expect(normaliseE164('anonymous')).toBe('anonymous');
    expect(normaliseE164('+0123456789')).toBe('+0123456789');
  });
});
