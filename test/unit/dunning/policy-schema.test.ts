// The dunning: section's reactivateWhen (CONTRACT §3): below_suspend_stage by default, balance_cleared on request,
// anything else a problem naming the field; reactivateOnPayment stays valid beside it.
import { describe, expect, it } from 'vitest';
import { parseRuleFile } from '../../../src/rules/rule-file.js';

const policy = (extra: string) => `dunning:
  - id: standard
    stages:
      - { after: 3d, email: payment-reminder }
      - { after: 14d, suspend: true }
${extra}`;

describe('reactivateWhen in a dunning policy', () => {
  it('defaults to below_suspend_stage, and reactivateOnPayment stays valid beside it', () => {
    const parsed = parseRuleFile('d.yaml', policy('    reactivateOnPayment: true\n'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.dunning[0]).toMatchObject({ reactivateOnPayment: true, reactivateWhen: 'below_suspend_stage' });
  });

  it('accepts balance_cleared', () => {
    expect(parseRuleFile('d.yaml', policy('    reactivateWhen: balance_cleared\n')).dunning[0]!.reactivateWhen).toBe('balance_cleared');
  });

  it('rejects any other value with a problem that names the field and line', () => {
    const parsed = parseRuleFile('d.yaml', policy('    reactivateWhen: on_payment\n'));
    expect(parsed.dunning).toEqual([]);
    expect(JSON.stringify(parsed.problems)).toMatch(/reactivateWhen/);
    expect(JSON.stringify(parsed.problems)).toMatch(/below_suspend_stage or balance_cleared/);
  });
});
