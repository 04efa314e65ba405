// The two email sinks: SMTP (SMTP_URL, a pooled nodemailer transport with timeouts shorter than the claim lease)
// and, with SMTP_URL unset, `.eml` files in $DATA_DIR/mail named by Message-ID (written to a temporary name and
// renamed, so a crash never leaves half a message and a resend replaces the same file).
// Never retries by itself: the outbox decides when to try again.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { messageIdFileName } from './message-id.js';
import type { EmailSink, OutgoingEmail } from './outbox-types.js';

function mailOptions(from: string, mail: OutgoingEmail) {
  return {
    from,
    to: mail.to.name ? { name: mail.to.name, address: mail.to.email } : mail.to.email,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    headers: mail.headers,
  };
}

export interface SmtpSinkOptions {
  url: string;
  from: string;
  maxConnections?: number;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
}

export function createSmtpEmailSink(opts: SmtpSinkOptions): EmailSink {
  const transport = createTransport({
    url: opts.url,
    pool: true,
    maxConnections: opts.maxConnections ?? 5,
    connectionTimeout: opts.connectionTimeoutMs ?? 10_000,
    greetingTimeout: opts.greetingTimeoutMs ?? 10_000,
    socketTimeout: opts.socketTimeoutMs ?? 20_000,
  } as Parameters<typeof createTransport>[0] & { pool: true });
  return {
    async send(mail) {
      await transport.sendMail(mailOptions(opts.from, mail));
    },
    async close() {
      transport.close();
    },
  };
}

export function createFileEmailSink(opts: { dir: string; from: string }): EmailSink {
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'windows' });
  let ready: Promise<unknown> | undefined;
  return {
    async send(mail) {
      ready ??= mkdir(opts.dir, { recursive: true });
      await ready;
      const info = await transport.sendMail(mailOptions(opts.from, mail));
      const file = path.join(opts.dir, `${messageIdFileName(mail.messageId)}.eml`);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, info.message as Buffer);
      await rename(tmp, file);
    },
    async close() {
      transport.close();
    },
  };
}
