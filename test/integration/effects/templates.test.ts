// The built-in email templates read from templates/ and their override through TEMPLATES_DIR.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEmailRenderer } from '../../../src/effects/email-renderer.js';
import { loadTemplates } from '../../../src/effects/template-store.js';
import type { EmailPayload } from '../../../src/effects/outbox-types.js';

const SUPPORT = 'support@telecom.example';
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function overrideDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'templates-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(files)) await writeFile(path.join(dir, name), body);
  return dir;
}
const payload = (template: string, data: Record<string, unknown> = {}): EmailPayload => ({
  template, accountId: 'cust-1', to: { name: 'Jo', email: 'jo@acme.example' }, data: { accountName: 'Acme Ltd', ...data },
});

describe('built-in templates', () => {
  const render = createEmailRenderer(loadTemplates(), { supportContact: SUPPORT });

  it('ship one per reason, activation, both standard dunning stages and the fallback', () => {
    expect(loadTemplates().names()).toEqual(['activation', 'dunning-generic', 'final-notice', 'payment-reminder', 'suspension-fraud', 'suspension-non_payment']);
  });

  it.each(['suspension-fraud', 'suspension-non_payment'])('%s states, in text and HTML, what the help-centre article says', (template) => {
    const reason = template.replace('suspension-', '');
    const mail = render(payload(template, { reason }));
    for (const body of [mail.text, mail.html.replace(/<[^>]+>/g, '')]) {
      expect(body).toMatch(/Outbound calls: no calls can be made from the account/);
      expect(body).toMatch(/Portal access: the account cannot log in to the portal/);
      expect(body).toMatch(/Inbound calls: you can still receive calls/);
      expect(body).toMatch(/Billing: every existing service continues to be billed/);
      expect(body).toMatch(/Connectivity services are not suspended by this\. If you want your connectivity services suspended as well, please contact our support desk/);
      expect(body).toMatch(/Nothing is deleted/);
      expect(body).toMatch(/Why your account was suspended/);
      expect(body).toMatch(/How to resolve it/);
      expect(body).toContain(SUPPORT);
    }
    expect(mail.text).toMatch(reason === 'fraud' ? /review the fraud alert/ : /pay the overdue invoices/);
  });

  it('mentions an ancestor that still suspends the account', () => {
    const mail = render(payload('activation', { inheritedFrom: ['chan-7'], stillSuspended: true }));
    expect(mail.text).toContain('remains suspended through chan-7');
    expect(mail.text).not.toContain('available again');
  });

  it('uses the generic notice for a dunning stage without a template of its own', () => {
    const mail = render(payload('second-reminder', { overdueMicros: 5_000_000, currency: 'EUR' }));
    expect(mail.template).toBe('dunning-generic');
    expect(mail.subject).toBe('About the overdue balance on your account Acme Ltd');
    expect(mail.text).toContain('EUR 5.00');
  });
});

describe('TEMPLATES_DIR', () => {
  it('replaces only the built-in files it has a file for', async () => {
    const dir = await overrideDir({ 'activation.subject': 'Welcome back, {{accountName}}!' });
    const mail = createEmailRenderer(loadTemplates({ overrideDir: dir }), { supportContact: SUPPORT })(payload('activation'));
    expect(mail.subject).toBe('Welcome back, Acme Ltd!');
    expect(mail.text).toContain('The suspension of your account Acme Ltd (cust-1) was lifted');
  });

  it('adds a template for a new dunning stage', async () => {
    const dir = await overrideDir({ 'courtesy-call.subject': 'We will call you', 'courtesy-call.text': 'Hi {{contactName}}', 'courtesy-call.html': '<p>Hi {{contactName}}</p>' });
    const mail = createEmailRenderer(loadTemplates({ overrideDir: dir }), { supportContact: SUPPORT })(payload('courtesy-call'));
    expect(mail).toMatchObject({ template: 'courtesy-call', subject: 'We will call you', text: 'Hi Jo', html: '<p>Hi Jo</p>' });
  });

  it('refuses a template missing a part, naming the missing file', async () => {
    const dir = await overrideDir({ 'courtesy-call.subject': 'x', 'courtesy-call.text': 'y' });
    expect(() => loadTemplates({ overrideDir: dir })).toThrow(/"courtesy-call" has no courtesy-call\.html/);
  });

  it('refuses a template with a syntax error, naming the file', async () => {
    const dir = await overrideDir({ 'final-notice.text': '{{#overdueAmount}} never closed' });
    expect(() => loadTemplates({ overrideDir: dir })).toThrow(/final-notice\.text: \{\{#overdueAmount\}\} is never closed/);
  });

  it('refuses a directory that does not exist', () => {
    expect(() => loadTemplates({ overrideDir: '/nonexistent/templates' })).toThrow(/does not exist/);
  });
});
