// The one input validation (src/events/validate.ts): what ids, texts, time zones, emails, durations, dates and
// nesting may be, on every path.
import { describe, expect, it } from 'vitest';
import {
  dateRangeProblem, emailProblem, headerSafeName, idProblem, jsonTooDeep, lineProblem, multilineProblem, parseDuration, timeZoneProblem,
} from '../../../src/events/validate.js';

describe('ids', () => {
  it("accepts any well-formed text without control characters, such as O'Brien & Sons/7 or an emoji", () => {
    for (const id of ["O'Brien & Sons/7", 'cust-1001', '100%', 'a b', 'Ünïcødé', '😀', 'x'.repeat(200)]) expect(idProblem(id), id).toBeNull();
  });
  it('refuses NUL, other control characters, line separators and lone surrogates, naming why', () => {
    for (const id of ['a\u0000b', 'a\rb', 'a\nb', 'a\u0085b', 'a\u2028b', 'a\ud800b', '\udc00', 'a\u001bb']) {
      expect(idProblem(id), JSON.stringify(id)).toMatch(/control characters/);
    }
  });
  it('refuses the empty id, ids over 200 characters, and the path segments . and ..', () => {
    expect(idProblem('')).toBe('must not be empty');
    expect(idProblem('x'.repeat(201))).toBe('must be at most 200 characters');
    expect(idProblem('.')).toMatch(/must not be/);
    expect(idProblem('..')).toMatch(/must not be/);
    expect(idProblem('...')).toBeNull();
  });
});

describe('text', () => {
  it('single-line text refuses every control character; multi-line text keeps tab, LF and CR only', () => {
    expect(lineProblem('Acme Ltd')).toBeNull();
    expect(lineProblem('Acme\tLtd')).not.toBeNull();
    expect(multilineProblem('line one\r\n\tline two')).toBeNull();
    for (const t of ['a\u0000', 'a\u0007', 'a\u007f', 'a\u0085', 'a\u2029', 'a\ud83d']) expect(multilineProblem(t), JSON.stringify(t)).not.toBeNull();
  });
  it('a display name is made header-safe: CR, LF, NEL and U+2028 become spaces', () => {
    expect(headerSafeName('Jo\r\nBcc: evil@x.example\u0085\u2028Bloggs')).toBe('Jo Bcc: evil@x.example Bloggs');
  });
});

describe('time zones', () => {
  it('accepts IANA names that Intl knows', () => {
    for (const tz of ['Europe/London', 'UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) expect(timeZoneProblem(tz), tz).toBeNull();
  });
  it('refuses Mars/Olympus, offsets and junk', () => {
    for (const tz of ['Mars/Olympus', '+01:00', 'Europe/London\u0000', '', '../etc/passwd', 'x'.repeat(80)]) {
      expect(timeZoneProblem(tz), tz).toBe('must be an IANA time zone such as Europe/London');
    }
  });
});

describe('email addresses', () => {
  it('accepts one plain address', () => {
    expect(emailProblem('jo@acme.example')).toBeNull();
    expect(emailProblem("o'brien+bills@sons.example")).toBeNull();
  });
  it('refuses anything that could name a second recipient or a header', () => {
    for (const e of ['a<b>;c@example.com', 'evil,victim@example.com', 'a b@example.com', 'jo@acme.example\r\nBcc: x@y.example', '"a"@b.example', 'x@y']) {
      expect(emailProblem(e), e).not.toBeNull();
    }
    expect(emailProblem(`${'a'.repeat(250)}@x.example`)).toMatch(/at most 254/);
  });
});

describe('durations, dates and nesting', () => {
  it('a duration is capped: 9999999d is refused, 24h is 86,400,000 ms', () => {
    const year = 366 * 86_400_000;
    expect(parseDuration('24h', year)).toBe(86_400_000);
    expect(parseDuration('9999999d', year)).toBe('must be at most 366d');
    expect(parseDuration('forever', year)).toMatch(/duration/);
  });
  it('calendar dates stay between 1970 and 2100', () => {
    expect(dateRangeProblem('2026-11-01')).toBeNull();
    expect(dateRangeProblem('0000-01-01')).toMatch(/between/);
    expect(dateRangeProblem('9999-12-31')).toMatch(/between/);
  });
  it('JSON nested 12,000 levels deep is too deep; brackets inside strings do not count', () => {
    expect(jsonTooDeep(Buffer.from('['.repeat(12_000) + ']'.repeat(12_000)))).toBe(true);
    expect(jsonTooDeep(Buffer.from(`{"a":${'{"b":'.repeat(64)}1${'}'.repeat(64)}}`))).toBe(true);
    expect(jsonTooDeep(Buffer.from(`{"name":"${'['.repeat(500)}"}`))).toBe(false);
    expect(jsonTooDeep(Buffer.from(`{"a":[${'[1],'.repeat(200)}1]}`))).toBe(false);
  });
});
