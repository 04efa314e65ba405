// Browser-test fixture for the console: the real daemon (startDaemon, as `npm start` runs it) on a fresh
// PostgreSQL database with a small account tree and rules of its own, and a real headless Chromium (Debian's
// `chromium` through playwright-core; nothing is downloaded). Screenshots go to the ignored `screenshots/console/`.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createToken } from '../../../src/api/tokens.js';
import { loadConfig } from '../../../src/config.js';
import type { Role } from '../../../src/domain/types.js';
import { createLogger } from '../../../src/log.js';
import { startDaemon, type Daemon } from '../../../src/main.js';
import type { Queryable } from '../../../src/store/db.js';
import { freePort, ROOT } from '../../helpers/daemon.js';
import { freshDatabase, type FreshDatabase } from '../../helpers/db.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = path.join(ROOT, 'screenshots', 'console');
export const XSS_NAME = '<img src=x onerror=alert(1)>';

/** Rules of the tests' own: +881 calls are suspended at the 3rd in an hour; +882 calls open a review at the 2nd. */
const RULES = `fraud:
  - id: irsf-test
    description: Calls to +881 (test rule)
    match: { calleePrefixes: ["+881"] }
    measure: calls
    window: 1h
    warn: 2
    suspend: 3
  - id: review-test
    description: Calls to +882 (test rule, review mode)
    mode: review
    match: { calleePrefixes: ["+882"] }
    measure: calls
    window: 1h
    suspend: 2
dunning:
  - id: standard
    appliesTo: { accountTypes: [customer] }
    minOverdue: "5.00"
    stages:
      - { after: 14d, suspend: true }
`;

export interface AccountSeed {
  id: string;
  type: 'reseller' | 'channel' | 'customer';
  parent: string | null;
  name: string;
  currency?: string;
}

/**
 *   res-north (reseller) ── chan-a (channel) ── cust-acme, cust-bolt, cust-xss
 *                        └─ chan-b (channel) ── cust-other
 */
export const SEEDS: AccountSeed[] = [
  { id: 'res-north', type: 'reseller', parent: null, name: 'North Telecom' },
  { id: 'chan-a', type: 'channel', parent: 'res-north', name: 'Channel A Ltd' },
  { id: 'chan-b', type: 'channel', parent: 'res-north', name: 'Channel B Ltd' },
  { id: 'cust-acme', type: 'customer', parent: 'chan-a', name: 'Acme Ltd', currency: 'GBP' },
  { id: 'cust-bolt', type: 'customer', parent: 'chan-a', name: 'Bolt Plumbing', currency: 'EUR' },
  { id: 'cust-xss', type: 'customer', parent: 'chan-a', name: XSS_NAME, currency: 'GBP' },
  { id: 'cust-other', type: 'customer', parent: 'chan-b', name: 'Other Channel Customer', currency: 'GBP' },
];

export async function seedAccounts(db: Queryable, seeds: AccountSeed[]): Promise<void> {
  await db.query(
    `INSERT INTO accounts (id, type, parent_id, name, main_contact, currency, updated_at)
     SELECT id, type, parent, name, jsonb_build_object('name', 'Contact ' || id, 'email', id || '@example.test'), currency, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(id, type, parent, name, currency)`,
    [seeds.map((s) => s.id), seeds.map((s) => s.type), seeds.map((s) => s.parent), seeds.map((s) => s.name), seeds.map((s) => s.currency ?? null)],
  );
}

export interface ConsoleFixture {
  fresh: FreshDatabase;
  daemon: Daemon;
  url: string;
  browser: Browser;
  dataDir: string;
  token(role: Role, accountId?: string | null): Promise<{ id: string; token: string }>;
  /**
   * A new page (its own browser context, so its own sessionStorage) at 1280x800 that fails on any script dialog.
   * `problems` collects the page's failed requests, script errors and console errors, for a failed wait to print.
   */
  page(viewport?: { width: number; height: number }, timezoneId?: string): Promise<ConsolePage>;
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleFixture(seeds: AccountSeed[] = SEEDS): Promise<ConsoleFixture> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (as .ci/run does), or set CHROMIUM_PATH`);
  }
  const fresh = await freshDatabase();
  await seedAccounts(fresh.db, seeds);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'suspensiond-console-'));
  const rulesDir = path.join(dataDir, 'rules');
  mkdirSync(rulesDir);
  writeFileSync(path.join(rulesDir, 'rules.yaml'), RULES);
  const config = loadConfig({
    DATABASE_URL: fresh.url,
    DATA_DIR: dataDir,
    RULES_DIR: rulesDir,
    HTTP_PORT: String(await freePort()),
    LOG_LEVEL: 'silent',
  });
  const daemon = await startDaemon(config, { logger: createLogger('silent') });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  mkdirSync(SHOTS, { recursive: true });
  return {
    fresh,
    daemon,
    url: daemon.url,
    browser,
    dataDir,
    async token(role, accountId = null) {
      const t = await createToken(fresh.db, { role, accountId, label: `console-${role}` });
      return { id: t.id, token: t.token };
    },
    async page(viewport = { width: 1280, height: 800 }, timezoneId = 'Europe/London') {
      const context = await browser.newContext({ viewport, timezoneId, locale: 'en-GB' });
      const page = (await context.newPage()) as ConsolePage;
      page.dialogs = [];
      page.problems = [];
      const at = () => new Date().toISOString().slice(11, 23);
      page.on('dialog', (d) => {
        page.dialogs.push(d.message());
        void d.dismiss();
      });
      page.on('requestfailed', (r) => page.problems.push(`${at()} request failed: ${r.method()} ${r.url()}: ${r.failure()?.errorText ?? '?'}`));
      page.on('response', (r) => {
        if (r.status() >= 400) page.problems.push(`${at()} ${r.status()} from ${r.request().method()} ${r.url()}`);
      });
      page.on('pageerror', (e) => page.problems.push(`${at()} script error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error') page.problems.push(`${at()} console error: ${m.text()}`);
      });
      return page;
    },
    async shot(page, name) {
      await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: false });
    },
    async close() {
      await browser.close().catch(() => undefined);
      await daemon.stop();
      await fresh.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type ConsolePage = Page & { dialogs: string[]; problems: string[] };

/**
 * Waits for the selector like `locator.waitFor()`, but a timeout says what the page showed and what went wrong in it
 * (its alerts, failed requests, error responses and script errors), so a failure under load can be read afterwards.
 */
export async function waitForShown(page: ConsolePage, selector: string, timeout = 30_000): Promise<void> {
  try {
    await page.locator(selector).waitFor({ timeout });
  } catch (err) {
    const alerts = await page.locator('[role=alert]').allTextContents().catch(() => ['(page gone)']);
    const banner = await page.locator('.banner').first().getAttribute('class', { timeout: 1_000 }).catch(() => null);
    throw new Error(
      [
        `${selector} not shown within ${timeout} ms (${(err as Error).message.split('\n')[0]})`,
        `banner class: ${banner ?? '(none)'}`,
        `alerts: ${JSON.stringify(alerts.filter((a) => a.trim() !== ''))}`,
        `problems (${page.problems.length}):`,
        ...page.problems.slice(-20).map((p) => `  ${p}`),
      ].join('\n'),
    );
  }
}

/** Opens the console and signs in with the token through the sign-in form. */
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/console`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('[data-who]').waitFor();
}
