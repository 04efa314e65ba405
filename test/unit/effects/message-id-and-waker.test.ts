import { describe, expect, it } from 'vitest';
import { messageIdFileName, messageIdFor } from '../../../src/effects/message-id.js';
import { createWaker } from '../../../src/effects/waker.js';

describe('the Message-ID of an outbox email', () => {
  it('is the same every time for the same row, so a resend is recognisable', () => {
    const row = { id: '42', dedupeKey: 'hold:h-1:placed' };
    expect(messageIdFor(row)).toBe(messageIdFor({ ...row }));
    expect(messageIdFor(row)).toMatch(/^<outbox-42-[0-9a-f]{16}@suspensiond>$/);
  });

  it('differs between rows', () => {
    expect(messageIdFor({ id: '42', dedupeKey: 'a' })).not.toBe(messageIdFor({ id: '43', dedupeKey: 'a' }));
    expect(messageIdFor({ id: '42', dedupeKey: 'a' })).not.toBe(messageIdFor({ id: '42', dedupeKey: 'b' }));
  });

  it('maps to a safe file name', () => {
    expect(messageIdFileName('<outbox-1-abc@suspensiond>')).toBe('outbox-1-abc@suspensiond');
    expect(messageIdFileName('<../../etc/passwd>')).toBe('.._.._etc_passwd');
  });
});

describe('the dispatcher waker', () => {
  it('ends a wait early on wake()', async () => {
    const w = createWaker();
    const t0 = Date.now();
    const waiting = w.wait(10_000);
    w.wake();
    await waiting;
    expect(Date.now() - t0).toBeLessThan(1_000);
  });

  it('remembers a wake that came while nobody waited, once', async () => {
    const w = createWaker();
    w.wake();
    const t0 = Date.now();
    await w.wait(10_000);
    expect(Date.now() - t0).toBeLessThan(100);
    const t1 = Date.now();
    await w.wait(30);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(25);
  });
});
