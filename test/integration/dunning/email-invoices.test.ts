// Issue 13: every dunning email names the invoices and amounts it is about. The ladder's stage emails and its
// suspension evidence are rendered with the built-in templates (read from templates/), text and HTML.
import { describe, expect, it } from 'vitest';
import { loadTemplates } from '../../../src/effects/template-store.js';
import { createEmailRenderer } from '../../../src/effects/email-renderer.js';
import { LadderSim, invoiceEvent } from '../../unit/dunning/ladder-sim.js';

const render = createEmailRenderer(loadTemplates(), { supportContact: 'billing@telecom.example' });

describe('dunning emails name their invoices', () => {
  const sim = new LadderSim();
  sim.receive(
    invoiceEvent('overdue', { invoiceId: 'INV-7', outstanding: 120.5, dueAt: '2026-11-01', at: '2026-11-02T00:00:00Z' }),
    invoiceEvent('overdue', { invoiceId: 'INV-9', outstanding: 30, dueAt: '2026-11-03', at: '2026-11-04T00:00:00Z' }),
  );
  sim.sweep('2026-11-02T00:00:00Z', '2026-11-15T00:00:00Z', 3_600_000);
  const emails = sim.log.flatMap(({ action }) => (action.kind === 'email' ? [action] : []));
  const suspension = sim.log.flatMap(({ action }) => (action.kind === 'suspend' ? [action] : []))[0]!;

  it.each(['payment-reminder', 'final-notice'])('the %s names each invoice with its amount and due date', (template) => {
    const a = emails.find((e) => e.template === template)!;
    const out = render({ template, accountId: 'cust-1', to: { name: 'Jo', email: 'jo@example.test' }, data: { ...a.data } });
    for (const part of [out.text, out.html]) expect(part).toContain('INV-7 120.50 GBP due 2026-11-01; INV-9 30.00 GBP due 2026-11-03');
  });

  it('the suspension email names them too, from the hold evidence', () => {
    const out = render({ template: 'suspension-non_payment', accountId: 'cust-1', to: { name: 'Jo', email: 'jo@example.test' }, data: { reason: 'non_payment', evidence: { ...suspension.evidence } } });
    expect(out.text).toContain('The overdue invoices: INV-7 120.50 GBP due 2026-11-01; INV-9 30.00 GBP due 2026-11-03.');
  });

  it('a stage whose template does not exist falls back to the generic one, which names them as well', () => {
    const a = emails[0]!;
    const out = render({ template: 'no-such-stage', accountId: 'cust-1', to: null, data: { ...a.data } });
    expect(out.text).toContain('INV-7 120.50 GBP due 2026-11-01');
  });
});
