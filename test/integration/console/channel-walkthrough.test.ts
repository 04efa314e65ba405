// The help-centre walk-through (domain/metis-suspend-account.txt, "Step-by-step guide (Channel)") in a real
// Chromium against the real daemon: a channel signs in, finds a customer, suspends it for non-payment, sees the
// banner, the split effects and the email in the timeline, activates it, and cannot see another channel's
// customer. Also: an account name that is HTML renders as text, a revoked token signs the page out, and a reseller
// suspends a channel (the reseller's guide) and sees its customers inherit the suspension.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeToken } from '../../../src/api/tokens.js';
import { signIn, startConsoleFixture, waitForShown, XSS_NAME, type ConsoleFixture } from './console-fixture.js';

let fx: ConsoleFixture;
beforeAll(async () => {
  fx = await startConsoleFixture();
});
afterAll(async () => {
  await fx?.close();
});

describe('a channel in the console', () => {
  it('signs in, finds a customer, suspends it for non-payment, sees the banner, effects and email, then activates it', async () => {
    const { token } = await fx.token('channel', 'chan-a');
    const page = await fx.page();
    await page.goto(`${fx.url}/console`);
    await page.getByLabel('API token').waitFor();
    await fx.shot(page, 'sign-in');
    await signIn(page, fx.url, token);
    expect(page.url()).not.toContain(token);
    expect(await page.evaluate<string[]>('Object.values(sessionStorage)')).toContain(token);
    await expect(page.locator('[data-who]').textContent()).resolves.toBe('channel chan-a');

    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByLabel('Search').fill('acme');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Acme Ltd' }).click();
    await page.getByRole('heading', { level: 1, name: 'Acme Ltd' }).waitFor();
    await expect(page.locator('#banner-title').textContent()).resolves.toBe('Active');

    await page.getByLabel('Reason').first().selectOption('non_payment');
    await page.getByLabel('Note').first().fill('INV-2026-0042 unpaid for 30 days');
    await page.getByRole('button', { name: 'Suspend…' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.textContent()).resolves.toMatch(/stops: outbound calls and portal access.*goes on: inbound and emergency calls, billing/s);
    await dialog.getByRole('button', { name: 'Suspend' }).click();

    await waitForShown(page, '.banner.bad');
    await expect(page.locator('#banner-title').textContent()).resolves.toBe('Suspended');
    await expect(page.locator('.banner').textContent()).resolves.toContain('non-payment of invoices');
    await expect(page.locator('[data-effects="blocked"]').textContent()).resolves.toBe('Outbound calls: blockedPortal access: blocked');
    const goesOn = await page.locator('[data-effects="continues"]').textContent();
    expect(goesOn).toContain('Inbound calls');
    expect(goesOn).toContain('Billing of every existing service');
    expect(goesOn).toContain('Connectivity services');
    await expect(page.locator('.hold').textContent()).resolves.toContain('INV-2026-0042 unpaid for 30 days');
    // The email is sent by the outbox after the commit; the open account refreshes by itself (every 5 s).
    const email = page.locator('.timeline li.tl-email_sent');
    await email.first().waitFor({ timeout: 20_000 });
    await expect(email.first().textContent()).resolves.toContain('cust-acme@example.test');
    await fx.shot(page, 'account-suspended');

    await page.getByRole('button', { name: 'Activate…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Activate' }).click();
    await waitForShown(page, '.banner.ok');
    await expect(page.locator('#banner-title').textContent()).resolves.toBe('Active');
    await expect(page.locator('.timeline').textContent()).resolves.toContain('Hold lifted');
    expect(page.dialogs).toEqual([]);
  });

  it("cannot see another channel's customer: not in search, not in the tree, and its page says not found", async () => {
    const { token } = await fx.token('channel', 'chan-a');
    const page = await fx.page();
    await signIn(page, fx.url, token);
    await page.goto(`${fx.url}/console#/accounts?q=other`);
    await page.getByText('0 accounts found').waitFor();
    await page.goto(`${fx.url}/console#/accounts`);
    await page.getByRole('button', { name: /Show the 3 accounts under Channel A Ltd/ }).click();
    await page.getByRole('link', { name: 'Bolt Plumbing' }).waitFor();
    await expect(page.locator('.tree').textContent()).resolves.not.toContain('cust-other');
    await page.goto(`${fx.url}/console#/account/cust-other`);
    await expect(page.getByRole('alert').last().textContent()).resolves.toBe('params.id: account cust-other not found');
    await expect(page.locator('main').textContent()).resolves.not.toContain('Other Channel Customer');
  });

  it('shows an account named like HTML as text, and nothing in it runs', async () => {
    const { token } = await fx.token('channel', 'chan-a');
    const page = await fx.page();
    await signIn(page, fx.url, token);
    await page.goto(`${fx.url}/console#/accounts?q=img`);
    await page.getByRole('link', { name: XSS_NAME }).click();
    await page.getByRole('heading', { level: 1 }).filter({ hasText: XSS_NAME }).waitFor();
    await expect(page.locator('main h1').textContent()).resolves.toBe(XSS_NAME);
    expect(await page.locator('main img').count()).toBe(0);
    expect(page.dialogs).toEqual([]);
  });

  it('signs out when its token is revoked', async () => {
    const t = await fx.token('channel', 'chan-a');
    const page = await fx.page();
    await signIn(page, fx.url, t.token);
    await page.goto(`${fx.url}/console#/account/cust-bolt`);
    await page.getByRole('heading', { level: 1, name: 'Bolt Plumbing' }).waitFor();
    await revokeToken(fx.fresh.db, t.id);
    // The open account's live refresh meets the 401 and the page returns to the sign-in form.
    await page.getByLabel('API token').waitFor({ timeout: 15_000 });
    await expect(page.getByRole('alert').first().textContent()).resolves.toContain('no longer valid');
    expect(await page.evaluate<number>('Object.keys(sessionStorage).length')).toBe(0);
  });

  it('keeps the activated state when a refresh that started before Activate answers after it', async () => {
    const { token } = await fx.token('channel', 'chan-a');
    const suspended = await fetch(`${fx.url}/v1/accounts/cust-bolt/suspend`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'non_payment' }),
    });
    expect(suspended.status).toBe(200);
    const page = await fx.page();
    await signIn(page, fx.url, token);
    await page.goto(`${fx.url}/console#/account/cust-bolt`);
    await waitForShown(page, '.banner.bad');

    // Hold the answer to the next live refresh's account read (taken from the server now: still suspended) until
    // the page has been activated and shows it, then let the stale answer arrive.
    let holding = false;
    let held!: () => void;
    const heldNow = new Promise<void>((resolve) => (held = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let delivered!: () => void;
    const deliveredNow = new Promise<void>((resolve) => (delivered = resolve));
    await page.route(
      (url) => url.pathname === '/v1/accounts/cust-bolt',
      async (route) => {
        if (holding) return route.continue();
        holding = true;
        const response = await route.fetch();
        held();
        await released;
        await route.fulfill({ response });
        delivered();
      },
    );
    await heldNow;
    await page.getByRole('button', { name: 'Activate…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Activate' }).click();
    await waitForShown(page, '.banner.ok');
    release();
    await deliveredNow;
    await page.waitForTimeout(1_000);
    await expect(page.locator('#banner-title').textContent()).resolves.toBe('Active');
    expect(await page.locator('.banner.ok').count()).toBe(1);
  });

  it("lets a reseller suspend a channel, naming the customers affected, who then show it as the source of their status", async () => {
    const { token } = await fx.token('reseller', 'res-north');
    const page = await fx.page();
    await signIn(page, fx.url, token);
    await page.goto(`${fx.url}/console#/accounts?type=channel&status=active`);
    await page.getByRole('link', { name: 'Channel A Ltd' }).click();
    await page.getByRole('heading', { level: 1, name: 'Channel A Ltd' }).waitFor();
    await page.getByRole('button', { name: 'Suspend…' }).click();
    const dialog = page.getByRole('dialog');
    await expect(dialog.textContent()).resolves.toContain(`Also affected: the 3 accounts directly under it (Acme Ltd, Bolt Plumbing, ${XSS_NAME})`);
    await dialog.getByRole('button', { name: 'Suspend' }).click();
    await waitForShown(page, '.banner.bad');

    await page.goto(`${fx.url}/console#/accounts?parent=chan-a`);
    const acme = page.locator('tr', { hasText: 'Acme Ltd' });
    await expect(acme.locator('.status-cell').textContent()).resolves.toBe('suspendedinherited from chan-a');
    await acme.getByRole('link', { name: 'Acme Ltd' }).click();
    await expect(page.locator('.banner').textContent()).resolves.toContain('Inherited from chan-a');

    await page.goto(`${fx.url}/console#/account/chan-a`);
    await page.getByRole('button', { name: 'Activate…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Activate' }).click();
    await waitForShown(page, '.banner.ok');
    expect(page.dialogs).toEqual([]);
  });
});
