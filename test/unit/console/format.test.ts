// The console's pure formatting helpers (src/api/console/assets/format.js, browser ES modules loaded here as they
// are): micro-units to decimal strings without floats, rule durations, hold sources in words, money by currency.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

const FORMAT = '../../../src/api/console/assets/format.js';

interface Format {
  microsToMajor(micros: number | string): string;
  duration(ms: number | null): string;
  sourceText(source: string): string;
  money(amount: string | number, currency: string | null): string;
  accountHref(id: string): string;
}
const load = async (): Promise<Format> => (await import(/* @vite-ignore */ FORMAT)) as Format;

describe('console formatting', () => {
  it('turns integer micro-units into an exact decimal string, whatever their size or sign', async () => {
    const { microsToMajor } = await load();
    expect(microsToMajor(120_500_000)).toBe('120.500000');
    expect(microsToMajor(5)).toBe('0.000005');
    expect(microsToMajor('-2500000')).toBe('-2.500000');
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }), (n) => {
        const text = microsToMajor(n.toString());
        expect(BigInt(text.replace('.', ''))).toBe(n);
        expect(text).toMatch(/^-?\d+\.\d{6}$/);
      }),
    );
  });

  it('writes durations as the rule files do and names hold sources in words', async () => {
    const { duration, sourceText } = await load();
    expect([duration(3_600_000), duration(600_000), duration(86_400_000 * 7), duration(90_000), duration(1500), duration(null)]).toEqual(['1h', '10m', '7d', '90s', '1500ms', '—']);
    expect(sourceText('rule:irsf-test')).toBe('fraud rule irsf-test');
    expect(sourceText('dunning:standard')).toBe('dunning policy standard');
    expect(sourceText('operator:t0123')).toBe('a person (token t0123)');
    expect(sourceText('expiry')).toBe('expiry of the hold');
  });

  it("shows money in the account's currency and keeps account ids inside the console's own links", async () => {
    const { money, accountHref } = await load();
    expect(money('120.50', 'GBP')).toMatch(/£\s?120\.50/);
    expect(money('120.50', 'EUR')).toMatch(/€\s?120[.,]50|120[.,]50\s?€/);
    expect(money('7', null)).toBe('7');
    expect(accountHref('javascript:alert(1)')).toBe('#/account/javascript%3Aalert(1)');
    expect(accountHref('a/b c')).toBe('#/account/a%2Fb%20c');
  });
});
