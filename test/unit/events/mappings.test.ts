// The shipped source mappings turn real sample records (test/fixtures/mappings, sources in its README) into the
// CDRs of CONTRACT §2; non-call records are dropped; a record a mapping cannot read names the mapping and field.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyMapping, type MappingResult } from '../../../src/events/mappings/apply-mapping.js';
import { localToEpochMs, toMoney, toSeconds } from '../../../src/events/mappings/convert.js';
import { loadMappings, parseMappingFile } from '../../../src/events/mappings/load-mappings.js';
import type { Mapping } from '../../../src/events/mappings/mapping-schema.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const fixture = (name: string) => readFileSync(path.join(ROOT, 'test/fixtures/mappings', name), 'utf8');
const lines = (name: string) => fixture(name).split('\n').filter((l) => l.trim() !== '');
let mappings: Map<string, Mapping>;

beforeAll(async () => {
  const loaded = await loadMappings(path.join(ROOT, 'mappings'));
  expect(loaded.problems).toEqual([]);
  mappings = loaded.mappings;
});

const run = (name: string, raw: string): MappingResult => applyMapping(mappings.get(name)!, raw);
const out = (r: MappingResult) => (r.kind === 'cdr' ? r.cdr : r);
const cdr = (fields: Record<string, unknown>) => ({ direction: 'outbound', phase: 'end', ...fields });

describe('FreeSWITCH mod_json_cdr', () => {
  const record = fixture('freeswitch-json.json');
  it('maps the A-leg of the CGRateS-captured record to an answered outbound call', () => {
    expect(out(run('freeswitch-json', record))).toEqual(cdr({
      id: '3da8bf84-c133-4959-9e24-e72875cb33a1', accountId: '1001', caller: '1001', callee: '1002',
      startedAt: '2018-01-11T10:25:44.534Z', answeredAt: '2018-01-11T10:25:47.954Z', endedAt: '2018-01-11T10:26:55.494Z',
      durationSec: 68, disposition: 'answered',
    }));
  });
  it('drops a B-leg (direction outbound), so a call counts once', () => {
    const bLeg = JSON.parse(record);
    bLeg.variables.direction = 'outbound';
    expect(run('freeswitch-json', JSON.stringify(bLeg)).kind).toBe('drop');
  });
  it('a start time it cannot read is an error naming the mapping and the field', () => {
    const bad = JSON.parse(record);
    bad.variables.start_uepoch = 'soon';
    expect(run('freeswitch-json', JSON.stringify(bad))).toMatchObject({ kind: 'error', error: expect.stringMatching(/^mapping freeswitch-json: variables\.start_uepoch \(startedAt\): must be epoch microseconds/) });
    expect(run('freeswitch-json', '{"variables": ')).toMatchObject({ kind: 'error', error: expect.stringMatching(/^mapping freeswitch-json: record: malformed JSON/) });
  });
});

describe.each([
  ['asterisk-csv', 'asterisk-master.csv', (uid: string, dst: string, start: string, _seq: number) => `${uid}|${dst}|${start}`],
  ['asterisk-json', 'asterisk-custom.json', (uid: string, _dst: string, _start: string, seq: number) => `${uid}#${seq}`],
] as const)('Asterisk CDRs through %s (%s, the CDR specification examples)', (name, file, idOf) => {
  const rows = () => lines(file).map((l) => run(name, l));
  it('maps the basic call, the unanswered dial and the transfer leg', () => {
    const [basic, unanswered, , transfer] = rows();
    expect(out(basic!)).toEqual(cdr({
      id: idOf('Asterisk-01-1362424276.2', 'SIP/bob-00000001', '2013-03-04 13:11:18', 12), accountId: '100', caller: '100', callee: '200',
      startedAt: '2013-03-04T13:11:18.000Z', answeredAt: '2013-03-04T13:11:26.000Z', endedAt: '2013-03-04T13:13:18.000Z',
      durationSec: 112, disposition: 'answered',
    }));
    expect(out(unanswered!)).toEqual({
      direction: 'outbound', phase: 'end', id: idOf('Asterisk-01-1362424276.2', 'SIP/bob-00000001', '2013-03-04 13:11:18', 1), accountId: '100',
      caller: '100', callee: '200', startedAt: '2013-03-04T13:11:18.000Z', endedAt: '2013-03-04T13:11:28.000Z', durationSec: 0,
      disposition: 'no_answer',
    });
    expect(out(transfer!)).toMatchObject({ accountId: 'Bob', caller: '200', callee: '300', durationSec: 10, id: idOf('Asterisk-01-136242428.3', 'SIP/charlie-00000003', '2013-03-04 13:11:48', 102) });
  });
  it('drops a dialplan-only record (no Party B channel)', () => {
    expect(rows()[2]!.kind).toBe('drop');
  });
  it("names the field of the specification's own malformed end time", () => {
    expect(rows()[4]).toMatchObject({ kind: 'error', error: expect.stringMatching(new RegExp(`^mapping ${name}: end \\(endedAt\\): must be a local time`)) });
  });
  it('a line with too few columns or an unknown disposition is an error naming the field', () => {
    if (name === 'asterisk-csv') expect(run(name, '"","100","200"')).toMatchObject({ kind: 'error', error: expect.stringContaining('dcontext') });
    const odd = lines(file)[0]!.replace('"ANSWERED"', '"MAYBE"');
    expect(run(name, odd)).toMatchObject({ kind: 'error', error: expect.stringMatching(/disposition \(disposition\): must be one of/) });
  });
});

describe('Kamailio acc', () => {
  const [invite, bye, bare] = lines('kamailio-acc.txt');
  it('maps the answered INVITE of the default configuration to the call set-up (phase start)', () => {
    expect(out(run('kamailio-acc', invite!))).toEqual(cdr({
      id: 'vRtGVfXTzMK.Awgi-T2F3JCxv3OR2tWtI', accountId: 'alice', caller: 'alice', callee: 'carol',
      startedAt: new Date(1374493797_000).toISOString(), disposition: 'answered', phase: 'start',
    }));
  });
  it('maps a failed INVITE to the whole call, with its disposition', () => {
    expect(out(run('kamailio-acc', invite!.replace('code=200;reason=OK', 'code=486;reason=Busy Here')))).toMatchObject({ phase: 'end', disposition: 'busy' });
  });
  it('drops a BYE', () => {
    expect(run('kamailio-acc', bye!).kind).toBe('drop');
  });
  it('an INVITE record without log_extra has no src_user: an error naming it', () => {
    expect(run('kamailio-acc', bare!)).toMatchObject({ kind: 'error', error: 'mapping kamailio-acc: src_user (accountId): required' });
  });
});

describe('CGRateS CDRs', () => {
  const [external, fromFreeswitch, sms, badTime] = lines('cgrates-cdr.json');
  it('maps the ExternalCDR of its tests and the CDR it rates from FreeSWITCH (Cost -1: not rated)', () => {
    expect(out(run('cgrates-cdr', external!))).toEqual(cdr({
      id: 'dsafdsaf', accountId: '1001', caller: '1001', callee: '1002', startedAt: '2013-11-07T08:42:20.000Z',
      answeredAt: '2013-11-07T08:42:26.000Z', durationSec: 10, cost: '1.01',
    }));
    expect(out(run('cgrates-cdr', fromFreeswitch!))).toEqual({
      direction: 'outbound', phase: 'end', id: '24b5766be325fa751fab5a0a06373e106f33a257', accountId: '1001', caller: '1001',
      callee: '1002', startedAt: '2018-01-11T10:25:44.000Z', answeredAt: '2018-01-11T10:25:47.000Z', durationSec: 68,
    });
  });
  it('drops an *sms record', () => {
    expect(run('cgrates-cdr', sms!).kind).toBe('drop');
  });
  it('a SetupTime it cannot read is an error naming it', () => {
    expect(run('cgrates-cdr', badTime!)).toMatchObject({ kind: 'error', error: expect.stringMatching(/^mapping cgrates-cdr: SetupTime \(startedAt\): must be an RFC 3339 time/) });
  });
});

describe('conversions', () => {
  it('a local time is read in its zone, summer time included', () => {
    expect(new Date(localToEpochMs('2026-07-01 12:00:00', 'Europe/London')!).toISOString()).toBe('2026-07-01T11:00:00.000Z');
    expect(new Date(localToEpochMs('2026-01-01 12:00:00.250', 'Europe/London')!).toISOString()).toBe('2026-01-01T12:00:00.250Z');
    expect(new Date(localToEpochMs('2026-11-24 21:03:11', 'America/New_York')!).toISOString()).toBe('2026-11-25T02:03:11.000Z');
    expect(localToEpochMs('2013-04-13:12:08', 'UTC')).toBeNull();
  });
  it('durations in s, ms, us, ns and Go notation become seconds', () => {
    expect([toSeconds('68', 's'), toSeconds('67540', 'ms'), toSeconds('67539896', 'us'), toSeconds('68000000000', 'ns')]).toEqual([68, 67.54, 67.54, 68]);
    expect([toSeconds('1m25s', 'go_duration'), toSeconds('1h0m0.5s', 'go_duration'), toSeconds('10', 'go_duration')]).toEqual([85, 3600.5, 10]);
    expect(toSeconds('ten', 'go_duration')).toMatch(/^must/);
  });
  it('money in minor units moves the decimal point in text, never through floats', () => {
    expect([toMoney('420', { money: 'minor' }), toMoney('5', { money: 'minor' }), toMoney('12345', { money: 'minor', digits: 4 })]).toEqual(['4.20', '0.05', '1.2345']);
    expect(toMoney('4.2000', { money: 'major' })).toBe('4.2000');
  });
});

describe('mapping files', () => {
  it('a bad mapping names the file, the line and the field', () => {
    const { problems } = parseMappingFile('m/bad.yaml', 'name: bad\ninput: { format: json }\nfields:\n  id: { path: x }\n  accountId: { path: a }\n  callee: { path: b }\n  startedAt: { path: s, time: weekly }\n');
    expect(problems).toEqual([{ file: 'm/bad.yaml', line: 7, field: 'fields.startedAt.time', message: expect.stringContaining('epoch_s') }]);
    expect(parseMappingFile('m/x.yaml', 'name: x\ninput: { format: csv }\nfields: {}\n').problems.length).toBeGreaterThan(0);
  });
});
