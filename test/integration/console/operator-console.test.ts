// An operator in a real Chromium against the real daemon: a fraud hold caused by CDRs ingested over HTTP shows its
// rule, value, level and sample CDR ids; the review queue approves one decision and rejects another with
// exemptFor; the overview updates by itself when a decision lands; every page renders (screenshots at 1280x800 and
// one at phone size), and the keyboard moves between the content and the navigation.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signIn, startConsoleFixture, type ConsoleFixture } from './console-fixture.js';

let fx: ConsoleFixture;
let operator: string;

async function ingest(path: string, body: unknown): Promise<any> {
  const res = await fetch(`${fx.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
  return res.json();
}

function cdr(id: string, accountId: string, callee: string, minutesAgo: number) {
  const started = new Date(Date.now() - minutesAgo * 60_000);
  return {
    id, accountId, direction: 'outbound', caller: '+441632960001', callee,
    startedAt: started.toISOString(), endedAt: new Date(started.getTime() + 60_000).toISOString(),
    durationSec: 60, disposition: 'answered', cost: '0.8000', currency: 'GBP',
  };
}

beforeAll(async () => {
  fx = await startConsoleFixture();
  operator = (await fx.token('operator')).token;
  // Three +881 calls from cust-bolt cross irsf-test's suspend level; two +882 calls each open a review.
  await ingest('/v1/events/cdrs', [
    cdr('cdr-b1', 'cust-bolt', '+881234000001', 9), cdr('cdr-b2', 'cust-bolt', '+881234000002', 8), cdr('cdr-b3', 'cust-bolt', '+881234000003', 7),
    cdr('cdr-r1', 'cust-acme', '+882100000001', 6), cdr('cdr-r2', 'cust-acme', '+882100000002', 5),
    cdr('cdr-r3', 'cust-other', '+882100000003', 6), cdr('cdr-r4', 'cust-other', '+882100000004', 5),
  ]);
  // One record the daemon rejects, for the dead-letters page.
  await ingest('/v1/events/cdrs', [{ id: 'cdr-bad', accountId: 'cust-acme', callee: '+441632960002', startedAt: 'yesterday' }]);
});
afterAll(async () => {
  await fx?.close();
});

describe('an operator in the console', () => {
  it('sees a fraud hold from ingested CDRs with its rule, value, level and sample CDR ids', async () => {
    const page = await fx.page();
    await signIn(page, fx.url, operator);
    await page.goto(`${fx.url}/console#/account/cust-bolt`);
    await page.locator('.hold').waitFor();
    const hold = page.locator('.hold');
    await expect(hold.locator('h3').textContent()).resolves.toBe('fraudulent dialling — placed by fraud rule irsf-test');
    await expect(hold.locator('.evidence-words').textContent()).resolves.toBe('Rule irsf-test: matching calls reached 3 against its suspend level of 3 within a 1h window.');
    await expect(hold.locator('.ev-rule').textContent()).resolves.toBe('irsf-test');
    await expect(hold.locator('.ev-value').textContent()).resolves.toBe('3');
    await expect(hold.locator('.ev-level').textContent()).resolves.toBe('3 (suspend)');
    const samples = await hold.locator('.ev-cdrs li').allTextContents();
    expect(samples.sort()).toEqual(['cdr-b1', 'cdr-b2', 'cdr-b3']);
    await fx.shot(page, 'account-fraud-hold');
    // Dates: the viewer's zone in the text, UTC in the title.
    const kolkata = await fx.page({ width: 1280, height: 800 }, 'Asia/Kolkata');
    await signIn(kolkata, fx.url, operator);
    await kolkata.goto(`${fx.url}/console#/account/cust-bolt`);
    const since = kolkata.locator('.hold time').first();
    const utc = (await since.getAttribute('title'))!;
    expect(utc).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
    const placed = new Date(utc.replace(' UTC', 'Z').replace(' ', 'T'));
    const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Kolkata', dateStyle: 'medium', timeStyle: 'short' }).format(placed);
    await expect(since.textContent()).resolves.toBe(local);
    const phone = await fx.page({ width: 390, height: 844 });
    await signIn(phone, fx.url, operator);
    await phone.goto(`${fx.url}/console#/account/cust-bolt`);
    await phone.locator('.hold').waitFor();
    expect(await phone.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await fx.shot(phone, 'phone-account');
  });

  it('approves one review and rejects another with exemptFor', async () => {
    const page = await fx.page();
    await signIn(page, fx.url, operator);
    await page.getByRole('link', { name: 'Review queue' }).click();
    await page.getByText('2 pending decisions, oldest first.').waitFor();
    await fx.shot(page, 'review-queue');
    const acme = page.locator('li.review').filter({ has: page.getByRole('link', { name: 'cust-acme' }) });
    await expect(acme.locator('.ev-rule').textContent()).resolves.toBe('review-test');
    await acme.getByLabel('Note').fill('confirmed with the customer: not theirs');
    await acme.getByRole('button', { name: 'Approve (suspend)' }).click();
    await page.getByText('1 pending decisions, oldest first.').waitFor();
    const other = page.locator('li.review').filter({ has: page.getByRole('link', { name: 'cust-other' }) });
    await other.getByLabel('Exempt for (on reject)').fill('24h');
    await other.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('Nothing waits for review.').waitFor();

    const auth = { authorization: `Bearer ${operator}` };
    const acmeNow = (await (await fetch(`${fx.url}/v1/accounts/cust-acme`, { headers: auth })).json()) as any;
    expect(acmeNow.holds.map((h: { source: string }) => h.source)).toEqual(['rule:review-test']);
    const otherNow = (await (await fetch(`${fx.url}/v1/accounts/cust-other`, { headers: auth })).json()) as any;
    expect(otherNow.status).toBe('active');
    const ex = (await (await fetch(`${fx.url}/v1/accounts/cust-other/exemptions`, { headers: auth })).json()) as any;
    expect(ex.items).toHaveLength(1);
    expect(ex.items[0].reason).toBe('fraud');
    const hours = (Date.parse(ex.items[0].until) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    await page.goto(`${fx.url}/console#/account/cust-other`);
    await expect(page.locator('#acc-ex + div').textContent()).resolves.toContain('fraudulent dialling until');
    // An operator adds an exemption from the account page.
    const form = page.getByRole('form', { name: 'New exemption' });
    await form.getByLabel('Exempt from').selectOption('non_payment');
    await form.getByLabel('For').fill('7d');
    await form.getByLabel('Note').fill('payment plan agreed');
    await form.getByRole('button', { name: 'Add exemption' }).click();
    await page.locator('#acc-ex + div', { hasText: 'non-payment of invoices until' }).waitFor();
    await expect(page.locator('#acc-ex + div').textContent()).resolves.toContain('payment plan agreed');
  });

  it("shows a dunning hold's overdue balance in the account's currency", async () => {
    // Fixture: the hold a dunning sweep places (its evidence as src/dunning/state-store.ts stageEvidence writes it).
    await fx.fresh.db.query(
      `INSERT INTO holds (id, account_id, reason, source, evidence, placed_at) VALUES ('h-dun', 'chan-b', 'non_payment', 'dunning:standard', $1, now())`,
      [{ policyId: 'standard', episodeId: 'e1', stage: 'suspend', currency: 'GBP', overdueMicros: 120_500_000, oldestDueAt: '2026-11-01', daysPastDue: 28, suspend: true }],
    );
    const page = await fx.page();
    await signIn(page, fx.url, operator);
    await page.goto(`${fx.url}/console#/account/cust-other`);
    await expect(page.locator('.banner').textContent()).resolves.toContain('Inherited from chan-b');
    await page.goto(`${fx.url}/console#/account/chan-b`);
    await expect(page.locator('.hold .evidence-words').textContent()).resolves.toBe(
      'Dunning policy standard, stage suspend: £120.50 overdue, the oldest invoice due 2026-11-01 (28 days past due).',
    );
  });

  it('renders every page: overview with charts, accounts tree, rules with hits and a failed reload, dead letters with raw bytes', async () => {
    const page = await fx.page();
    await signIn(page, fx.url, operator);
    // Keyboard: a page change moves focus to the content; Tab goes on into it, Shift+Tab back to the header.
    await page.getByRole('heading', { name: 'Suspended now' }).waitFor();
    await expect(page.evaluate<string | undefined>('document.activeElement?.id')).resolves.toBe('main');
    await page.keyboard.press('Tab');
    await expect(page.evaluate<string | null | undefined>('document.activeElement?.textContent')).resolves.toBe('Open the queue');
    await page.keyboard.press('Shift+Tab');
    await expect(page.evaluate<string | null | undefined>('document.activeElement?.textContent')).resolves.toBe('Sign out');
    await page.keyboard.press('Shift+Tab');
    await expect(page.evaluate<string | null | undefined>('document.activeElement?.textContent')).resolves.toBe('Dead letters');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();

    await page.goto(`${fx.url}/console#/overview`);
    await page.getByRole('heading', { name: 'Suspended now' }).waitFor();
    await expect(page.locator('.chart svg[role="img"]').count()).resolves.toBe(2);
    await expect(page.locator('.grid').textContent()).resolves.toMatch(/Fraudulent dialling2/);
    await fx.shot(page, 'overview');
    // Live: a decision that lands while the overview is open shows without a reload.
    await ingest('/v1/events/cdrs', [cdr('cdr-x1', 'cust-xss', '+881234000011', 4), cdr('cdr-x2', 'cust-xss', '+881234000012', 3), cdr('cdr-x3', 'cust-xss', '+881234000013', 2)]);
    await page.locator('.grid', { hasText: 'Fraudulent dialling3' }).waitFor({ timeout: 15_000 });

    await page.goto(`${fx.url}/console#/accounts`);
    await page.getByRole('button', { name: /Show the 2 accounts under North Telecom/ }).click();
    await page.getByRole('button', { name: /Show the 3 accounts under Channel A Ltd/ }).click();
    await page.getByRole('link', { name: 'Bolt Plumbing' }).waitFor();
    await expect(page.locator('li.suspended', { hasText: 'Bolt Plumbing' }).textContent()).resolves.toContain('fraudulent dialling');
    await fx.shot(page, 'accounts');

    await page.goto(`${fx.url}/console#/rules`);
    const row = page.locator('tr', { hasText: 'irsf-test' });
    await expect(row.locator('td').last().textContent()).resolves.toBe('2 / 2');
    await expect(row.locator('td').nth(3).textContent()).resolves.toBe('1h');
    await expect(page.locator('tr', { hasText: 'standard' }).textContent()).resolves.toContain('14 days past due: suspend');
    // A broken rule file: the reload fails, the old rules stay, and the Rules page says so.
    writeFileSync(path.join(fx.dataDir, 'rules', 'broken.yaml'), 'fraud:\n  - id: Not Valid\n');
    const failed = page.locator('[data-last-reload="failure"]');
    for (let i = 0; i < 20 && (await failed.count()) === 0; i++) {
      await page.waitForTimeout(500);
      await page.goto(`${fx.url}/console#/overview`);
      await page.goto(`${fx.url}/console#/rules`);
      await page.locator('tbody tr').first().waitFor();
    }
    await expect(failed.textContent()).resolves.toContain('FAILED');
    await expect(page.locator('tr', { hasText: 'irsf-test' }).count()).resolves.toBe(1);
    await fx.shot(page, 'rules');

    await page.goto(`${fx.url}/console#/dead-letters`);
    const dl = page.locator('.dead-letter').first();
    await expect(dl.locator('h2').textContent()).resolves.toMatch(/startedAt|direction/);
    await expect(dl.locator('pre.raw').textContent()).resolves.toContain('"id":"cdr-bad"');
    await fx.shot(page, 'dead-letters');
    expect(page.dialogs).toEqual([]);

    // Phone-sized: no page is wider than the screen (wide tables scroll inside their own box).
    const phone = await fx.page({ width: 390, height: 844 });
    await signIn(phone, fx.url, operator);
    for (const [hash, ready] of [['/overview', '.chart svg'], ['/accounts', '.tree li'], ['/accounts?q=ltd', 'table.accounts'], ['/reviews', 'main h1'], ['/rules', 'tbody tr'], ['/dead-letters', '.dead-letter']] as const) {
      await phone.goto(`${fx.url}/console#${hash}`);
      await phone.locator(ready).first().waitFor();
      expect(await phone.evaluate<number>('document.documentElement.scrollWidth'), hash).toBeLessThanOrEqual(390);
    }
    await fx.shot(phone, 'phone-dead-letters');
  });
});
