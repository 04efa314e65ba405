// The .eml file sink on a real file system (issue 11): files are private (0600), a stored recipient that is not one
// plain address is refused before anything is written, and a display name cannot smuggle a header line.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileEmailSink, InvalidRecipientError } from '../../../src/effects/email-sinks.js';
import type { OutgoingEmail } from '../../../src/effects/outbox-types.js';

const mail = (to: OutgoingEmail['to'], n: number): OutgoingEmail => ({
  messageId: `<sink-test-${n}@suspensiond.test>`, to, subject: 'Your account', text: 'hello', html: '<p>hello</p>', headers: {},
});

describe('the .eml file sink', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'suspensiond-eml-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each mail readable by its owner only (mode 0600)', async () => {
    const sink = createFileEmailSink({ dir: path.join(dir, 'mail'), from: 'suspensions@telecom.example' });
    await sink.send(mail({ name: 'Jo Bloggs', email: 'jo@acme.example' }, 1));
    await sink.close();
    const files = readdirSync(path.join(dir, 'mail'));
    expect(files).toHaveLength(1);
    expect(statSync(path.join(dir, 'mail', files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('refuses a stored address that names two recipients, and writes nothing', async () => {
    const out = path.join(dir, 'refused');
    const sink = createFileEmailSink({ dir: out, from: 'suspensions@telecom.example' });
    for (const email of ['a<b>;c@example.com', 'evil,victim@example.com']) {
      await expect(sink.send(mail({ email }, 2))).rejects.toBeInstanceOf(InvalidRecipientError);
    }
    await sink.close();
    expect(() => readdirSync(out)).toThrow();
  });

  it('a display name with CR, LF, NEL or U+2028 becomes one line: one recipient, no injected header', async () => {
    const out = path.join(dir, 'names');
    const sink = createFileEmailSink({ dir: out, from: 'suspensions@telecom.example' });
    await sink.send(mail({ name: 'Jo\r\nBcc: evil@x.example\u0085\u2028Bloggs', email: 'jo@acme.example' }, 3));
    await sink.close();
    const raw = readFileSync(path.join(out, readdirSync(out)[0]!));
    const parsed = await simpleParser(raw);
    expect(parsed.headers.has('bcc')).toBe(false);
    const to = Array.isArray(parsed.to) ? parsed.to : [parsed.to!];
    expect(to.flatMap((t) => t.value).map((v) => v.address)).toEqual(['jo@acme.example']);
    expect(to[0]!.value[0]!.name).not.toMatch(/[\r\n\u0085\u2028]/);
  });
});
