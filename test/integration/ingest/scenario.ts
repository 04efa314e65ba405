// One small mixed scenario for the "one path" and duplicates tests: an account tree, ordinary traffic, an IRSF burst
// that must suspend one customer, a warn-level burst for another, and an overdue invoice that dunning suspends.
import { cdr } from '../../helpers/traffic.js';
import { cdrToWire, generateCdrs } from './wire.js';

export interface Scenario {
  accounts: Buffer[];
  cdrs: Buffer[];
  invoices: Buffer[];
}

const json = (o: unknown) => Buffer.from(JSON.stringify(o));

export function scenario(nowMs: number): Scenario {
  const t0 = nowMs - 2 * 3_600_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const accounts = [
    { id: 'res-1', type: 'reseller', name: 'Reseller', updatedAt: iso(t0 - 60_000) },
    { id: 'chan-1', type: 'channel', parentId: 'res-1', updatedAt: iso(t0 - 60_000) },
    ...Array.from({ length: 20 }, (_, i) => ({
      id: `cust-${i}`, type: 'customer', parentId: 'chan-1', name: `Customer ${i}`,
      mainContact: { name: `C ${i}`, email: `c${i}@example.test` }, timezone: 'Europe/London', currency: 'GBP', tags: [],
      updatedAt: iso(t0 - 30_000),
    })),
  ].map(json);
  const ordinary = generateCdrs({ n: 2_000, accounts: 20, startMs: t0, seed: 11, stepMs: 2_000 });
  // cust-3: 12 calls to +882 in 6 minutes (suspend at 10); cust-4: 6 calls (warn at 5). cust-99 is unknown.
  const burst = (acct: string, n: number, from: number) =>
    Array.from({ length: n }, (_, i) => cdr({ id: `${acct}-irsf-${i}`, accountId: acct, callee: `+88213000${100 + i}`, startedAt: from + i * 30_000, durationSec: 20 }));
  const attack = [...burst('cust-3', 12, t0 + 1_800_000), ...burst('cust-4', 6, t0 + 1_900_000), ...burst('cust-99', 11, t0 + 2_000_000)];
  const cdrs = [...ordinary, ...attack].sort((a, b) => a.endedAt! - b.endedAt!).map((c) => json(cdrToWire(c)));
  const due = new Date(nowMs - 40 * 86_400_000).toISOString().slice(0, 10);
  const invoices = [
    { id: 'evt-1', type: 'issued', invoiceId: 'INV-1', accountId: 'cust-7', currency: 'GBP', total: '120.00', outstanding: '120.00', dueAt: due, occurredAt: iso(t0 + 60_000) },
    { id: 'evt-2', type: 'overdue', invoiceId: 'INV-1', accountId: 'cust-7', currency: 'GBP', total: '120.00', outstanding: '120.00', dueAt: due, occurredAt: iso(t0 + 120_000) },
    { id: 'evt-3', type: 'overdue', invoiceId: 'INV-2', accountId: 'cust-8', currency: 'GBP', total: '50.00', outstanding: '50.00', dueAt: due, occurredAt: iso(t0 + 180_000) },
    { id: 'evt-4', type: 'paid', invoiceId: 'INV-2', accountId: 'cust-8', currency: 'GBP', total: '50.00', outstanding: '0', dueAt: due, occurredAt: iso(t0 + 240_000) },
  ].map(json);
  return { accounts, cdrs, invoices };
}
