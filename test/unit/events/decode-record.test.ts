import { describe, expect, it } from 'vitest';
import { decodeRecord, type InputKind } from '../../../src/events/decode-record.js';

const ARRIVED = Date.UTC(2026, 10, 25, 12);
const cdr = (over: Record<string, unknown> = {}) => ({
  id: 'c-8f2a', accountId: 'cust-1001', direction: 'outbound', caller: '+441632960001', callee: '+88213000123',
  startedAt: '2026-11-24T21:03:11Z', answeredAt: '2026-11-24T21:03:15Z', endedAt: '2026-11-24T21:09:15Z',
  durationSec: 360, disposition: 'answered', cost: '4.2000', currency: 'GBP', phase: 'end', ...over,
});
const invoice = (over: Record<string, unknown> = {}) => ({
  id: 'evt-77', type: 'overdue', invoiceId: 'INV-2026-0042', accountId: 'cust-1001', currency: 'GBP',
  total: '120.00', outstanding: '120.00', dueAt: '2026-11-01', occurredAt: '2026-11-08T00:00:00Z', ...over,
});
const account = (over: Record<string, unknown> = {}) => ({
  id: 'cust-1001', type: 'customer', parentId: 'chan-7', name: 'Acme Ltd',
  mainContact: { name: 'Jo Bloggs', email: 'jo@acme.example' }, timezone: 'Europe/London', currency: 'GBP',
  tags: ['vip'], closed: false, updatedAt: '2026-11-20T09:00:00Z', ...over,
});
const decode = (kind: InputKind, v: unknown) => decodeRecord(kind, Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)), ARRIVED);
const errorOf = (kind: InputKind, v: unknown) => {
  const r = decode(kind, v);
  return r.ok ? 'accepted' : r.error;
};

describe('CDR decoding', () => {
  it('decodes the contract example into micro-units and epoch milliseconds', () => {
    expect(decode('cdrs', cdr())).toEqual({
      ok: true,
      record: { kind: 'cdrs', value: {
        id: 'c-8f2a', accountId: 'cust-1001', direction: 'outbound', caller: '+441632960001', callee: '+88213000123',
        startedAt: Date.UTC(2026, 10, 24, 21, 3, 11), answeredAt: Date.UTC(2026, 10, 24, 21, 3, 15),
        endedAt: Date.UTC(2026, 10, 24, 21, 9, 15), durationSec: 360, disposition: 'answered', costMicros: 4_200_000,
        currency: 'GBP', phase: 'end' } },
    });
  });
  it('needs only id, accountId, direction, callee and startedAt; phase defaults to end', () => {
    const r = decode('cdrs', { id: 'x', accountId: 'a', direction: 'inbound', callee: '0044 20 7946 0000', startedAt: '2026-11-24T21:03:11+01:00' });
    expect(r.ok && r.record.kind === 'cdrs' && r.record.value).toMatchObject({ phase: 'end', caller: null, costMicros: null, callee: '+442079460000' });
  });
  it('names each missing required field', () => {
    for (const f of ['id', 'accountId', 'direction', 'callee', 'startedAt']) expect(errorOf('cdrs', cdr({ [f]: undefined }))).toBe(`${f}: required`);
  });
  it('names wrong types and values', () => {
    expect(errorOf('cdrs', cdr({ direction: 'sideways' }))).toBe('direction: must be one of outbound, inbound');
    expect(errorOf('cdrs', cdr({ durationSec: '360' }))).toBe('durationSec: must be a non-negative number');
    expect(errorOf('cdrs', cdr({ callee: 12345 }))).toBe('callee: must be a string');
    expect(errorOf('cdrs', cdr({ phase: 'middle' }))).toBe('phase: must be one of start, end');
    expect(errorOf('cdrs', cdr({ disposition: 'maybe' }))).toMatch(/^disposition: must be one of answered/);
    expect(errorOf('cdrs', cdr({ startedAt: '2026-11-24 21:03' }))).toBe('startedAt: must be an RFC 3339 timestamp with an offset');
    expect(errorOf('cdrs', cdr({ endedAt: '2026-11-24T21:00:00Z' }))).toBe('endedAt: must not be before startedAt');
  });
  it('rejects a negative cost and a cost with seven decimals', () => {
    expect(errorOf('cdrs', cdr({ cost: '-4.20' }))).toBe('cost: must be a non-negative decimal');
    expect(errorOf('cdrs', cdr({ cost: -1 }))).toBe('cost: must be a non-negative decimal');
    expect(errorOf('cdrs', cdr({ cost: '0.1234567' }))).toBe('cost: must have at most 6 decimals');
  });
  it('takes a JSON number cost as its decimal text', () => {
    const r = decode('cdrs', cdr({ cost: 0.3 }));
    expect(r.ok && r.record.kind === 'cdrs' && r.record.value.costMicros).toBe(300_000);
  });
});

describe('the eight kinds of poison are rejected with a reason naming the field', () => {
  it('invalid JSON', () => expect(errorOf('cdrs', '{"id": "x",')).toMatch(/^value: invalid JSON/));
  it('not UTF-8', () => {
    const r = decodeRecord('cdrs', Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), ARRIVED);
    expect(r).toEqual({ ok: false, error: 'value: not valid UTF-8' });
  });
  it('wrong types', () => expect(errorOf('cdrs', cdr({ accountId: 42 }))).toBe('accountId: must be a string'));
  it('missing fields', () => expect(errorOf('cdrs', cdr({ callee: undefined }))).toBe('callee: required'));
  it('negative amounts', () => expect(errorOf('invoices', invoice({ outstanding: '-5.00' }))).toBe('outstanding: must be a non-negative decimal'));
  it('absurd timestamps, before 2000 or a day after arrival', () => {
    expect(errorOf('cdrs', cdr({ startedAt: '1970-01-01T00:00:00Z', answeredAt: null, endedAt: null }))).toBe('startedAt: absurd timestamp (before 2000-01-01)');
    expect(errorOf('invoices', invoice({ occurredAt: '2026-11-27T00:00:00Z' }))).toBe('occurredAt: absurd timestamp (more than 1 day after arrival)');
  });
  it('a 1 MB value', () => {
    const big = Buffer.alloc(1024 * 1024, 0x20);
    expect(decodeRecord('cdrs', big, ARRIVED)).toEqual({ ok: false, error: 'value: too large (1048576 bytes, limit 65536)' });
  });
  it('an unknown invoice type', () => expect(errorOf('invoices', invoice({ type: 'refunded' }))).toMatch(/^type: must be one of issued, overdue, payment/));
  it('also a JSON value that is not an object, and an empty message', () => {
    expect(errorOf('cdrs', '[1,2]')).toBe('value: must be a JSON object');
    expect(decodeRecord('cdrs', Buffer.alloc(0), ARRIVED)).toEqual({ ok: false, error: 'value: required (empty message)' });
    expect(decodeRecord('cdrs', null, ARRIVED)).toEqual({ ok: false, error: 'value: required (empty message)' });
  });
});

describe('invoice event decoding', () => {
  it('decodes the contract example', () => {
    expect(decode('invoices', invoice())).toEqual({ ok: true, record: { kind: 'invoices', value: {
      id: 'evt-77', type: 'overdue', invoiceId: 'INV-2026-0042', accountId: 'cust-1001', currency: 'GBP',
      totalMicros: 120_000_000, outstandingMicros: 120_000_000, dueAt: '2026-11-01', occurredAt: Date.UTC(2026, 10, 8) } } });
  });
  it('requires outstanding and currency, and rejects a negative total', () => {
    expect(errorOf('invoices', invoice({ outstanding: undefined }))).toBe('outstanding: required');
    expect(errorOf('invoices', invoice({ currency: undefined }))).toBe('currency: required');
    expect(errorOf('invoices', invoice({ total: '-1' }))).toBe('total: must be a non-negative decimal');
    expect(errorOf('invoices', invoice({ dueAt: '2026-11-31' }))).toBe('dueAt: must be a date (YYYY-MM-DD)');
  });
  it('accepts every contract invoice type', () => {
    for (const type of ['issued', 'overdue', 'payment', 'paid', 'voided', 'written_off', 'disputed', 'dispute_resolved']) {
      expect(errorOf('invoices', invoice({ type }))).toBe('accepted');
    }
  });
});

describe('account decoding', () => {
  it('decodes the contract example', () => {
    expect(decode('accounts', account())).toEqual({ ok: true, record: { kind: 'accounts', value: {
      id: 'cust-1001', type: 'customer', parentId: 'chan-7', name: 'Acme Ltd', mainContact: { name: 'Jo Bloggs', email: 'jo@acme.example' },
      timezone: 'Europe/London', currency: 'GBP', tags: ['vip'], closed: false, updatedAt: '2026-11-20T09:00:00.000Z' } } });
  });
  it('requires parentId for channels and customers, and refuses one on a reseller', () => {
    expect(errorOf('accounts', account({ parentId: undefined }))).toBe('parentId: required for a customer');
    expect(errorOf('accounts', account({ type: 'channel', parentId: null }))).toBe('parentId: required for a channel');
    expect(errorOf('accounts', account({ type: 'reseller', parentId: 'x' }))).toBe('parentId: must be absent for a reseller');
  });
  it('needs only id and type for a reseller, and stamps a missing updatedAt with the arrival time', () => {
    const r = decode('accounts', { id: 'res-1', type: 'reseller' });
    expect(r.ok && r.record.kind === 'accounts' && r.record.value).toMatchObject({ parentId: null, tags: [], closed: false, updatedAt: new Date(ARRIVED).toISOString() });
  });
  it('names bad nested and list fields', () => {
    expect(errorOf('accounts', account({ mainContact: { name: 'Jo' } }))).toBe('mainContact.email: required');
    expect(errorOf('accounts', account({ tags: ['ok', 7] }))).toBe('tags.1: must be a string');
    expect(errorOf('accounts', account({ timezone: 'Mars/Olympus' }))).toBe('timezone: must be an IANA time zone such as Europe/London');
    expect(errorOf('accounts', account({ type: 'partner' }))).toBe('type: must be one of reseller, channel, customer');
  });
});

describe('one validation on every path (issue 11): text the database or a mail header cannot take is a dead letter naming the field', () => {
  const CTRL = /must not contain/;
  it('NUL or a lone surrogate in any id or text field is rejected, naming that field', () => {
    expect(errorOf('accounts', account({ name: 'Acme\u0000Ltd' }))).toMatch(/^name: must not contain/);
    expect(errorOf('accounts', account({ id: 'cust\ud800' }))).toMatch(/^id: must not contain/);
    expect(errorOf('accounts', account({ parentId: 'chan\u0000' }))).toMatch(/^parentId: must not contain/);
    expect(errorOf('accounts', account({ tags: ['vip', 'a\u0000'] }))).toMatch(/^tags\.1: must not contain/);
    expect(errorOf('cdrs', cdr({ id: 'c-\u0000' }))).toMatch(/^id: must not contain/);
    expect(errorOf('cdrs', cdr({ accountId: 'cust-\udfff' }))).toMatch(/^accountId: must not contain/);
    expect(errorOf('cdrs', cdr({ callee: '+4420\u0000' }))).toMatch(/^callee: must not contain/);
    expect(errorOf('cdrs', cdr({ caller: '\ud800' }))).toMatch(/^caller: must not contain/);
    expect(errorOf('invoices', invoice({ invoiceId: 'INV\u0000' }))).toMatch(/^invoiceId: must not contain/);
    expect(errorOf('invoices', invoice({ id: 'evt\u0007' }))).toMatch(CTRL);
  });
  it("an id may hold any other character, so O'Brien & Sons/7 is accepted", () => {
    expect(errorOf('accounts', account({ id: "O'Brien & Sons/7" }))).toBe('accepted');
    expect(errorOf('cdrs', cdr({ accountId: "O'Brien & Sons/7" }))).toBe('accepted');
  });
  it('an email field holds one address: a<b>;c@example.com and evil,victim@… are rejected', () => {
    expect(errorOf('accounts', account({ mainContact: { email: 'a<b>;c@example.com' } }))).toMatch(/^mainContact\.email: must be one email address/);
    expect(errorOf('accounts', account({ mainContact: { email: 'evil,victim@example.com' } }))).toMatch(/^mainContact\.email: must be one email address/);
  });
  it('a display name with CR, LF, NEL or U+2028 (as JSON escapes) is rejected', () => {
    for (const name of ['Jo\r\nBcc: x@evil.example', 'Jo\u0085Bloggs', 'Jo\u2028Bloggs']) {
      expect(errorOf('accounts', `{"id":"a","type":"reseller","mainContact":{"name":${JSON.stringify(name)},"email":"jo@acme.example"}}`)).toMatch(
        /^mainContact\.name: must not contain/,
      );
    }
  });
  it('an offset is not a time zone, and a due date in year 0 or 9999 is out of range', () => {
    expect(errorOf('accounts', account({ timezone: '+01:00' }))).toBe('timezone: must be an IANA time zone such as Europe/London');
    expect(errorOf('invoices', invoice({ dueAt: '0000-01-01' }))).toMatch(/^dueAt: must be between/);
    expect(errorOf('invoices', invoice({ dueAt: '9999-12-31' }))).toMatch(/^dueAt: must be between/);
  });
  it('a record nested 12,000 levels deep is rejected without being walked', () => {
    const deep = `{"id":"a","type":"reseller","x":${'['.repeat(12_000)}${']'.repeat(12_000)}}`;
    expect(errorOf('accounts', deep)).toBe('value: nested deeper than 64 levels');
  });
});
