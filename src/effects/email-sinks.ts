// The two email sinks: SMTP (SMTP_URL, a pooled nodemailer transport with timeouts shorter than the claim lease)
// and, with SMTP_URL unset, `.eml` files in $DATA_DIR/mail named by Message-ID (written to a temporary name and
// renamed, so a crash never leaves half a message and a resend replaces the same file; mode 0600, since a mail
// names a person and their account). Both check the recipient first: one plain address (never a list), and a
// display name without control characters or line separators. Never retries by itself: the outbox decides.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { messageIdFileName } from './message-id.js';
import type { EmailSink, OutgoingEmail } from './outbox-types.js';
import { emailProblem, headerSafeName } from '../events/validate.js';

/** The recipient cannot be mailed as stored (a row written before addresses were validated). Retrying cannot cure it. */
export class InvalidRecipientError extends Error {
  readonly permanent = true;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRecipientError';
  }
}

function mailOptions(from: string, mail: OutgoingEmail) {
  const address = mail.to.email.trim();
  const bad = emailProblem(address);
  if (bad !== null) throw new InvalidRecipientError(`to.email: ${bad}`);
  const name = mail.to.name ? headerSafeName(mail.to.name) : '';
  return {
    from,
    to: name ? { name, address } : address,
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
      const options = mailOptions(opts.from, mail);
      ready ??= mkdir(opts.dir, { recursive: true, mode: 0o700 });
      await ready;
      const info = await transport.sendMail(options);
      const file = path.join(opts.dir, `${messageIdFileName(mail.messageId)}.eml`);
      const tmp = `${file}.${process.pid}.tmp`;
      await writeFile(tmp, info.message as Buffer, { mode: 0o600 });
      await rename(tmp, file);
    },
    async close() {
      transport.close();
    },
  };
}
