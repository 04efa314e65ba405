// A real SMTP server for tests (smtp-server on 127.0.0.1, an ephemeral port) that keeps what it receives, parsed
// with mailparser. `refuse(n)` makes it answer the next n deliveries with a temporary failure (451), as a
// struggling mail server does. Owns: that server and its memory. Never: relays anything anywhere.
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string | undefined;
  envelopeTo: string[];
  raw: string;
  /** Null when the server runs with `parse: false` (fast bulk tests read `raw` and `messageId` only). */
  parsed: ParsedMail | null;
  header(name: string): string | undefined;
}

export interface TestSmtpServer {
  url: string;
  port: number;
  received: ReceivedMail[];
  /** Deliveries refused so far. */
  refusedCount(): number;
  /** Refuse the next `n` deliveries with 451. */
  refuse(n: number): void;
  /** Resolves once `count` mails have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  close(): Promise<void>;
}

function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const re = new RegExp(`^${name}:\\s*(.*)$`, 'im');
  return re.exec(unfolded)?.[1]?.trim();
}

export async function startSmtpServer(opts: { parse?: boolean; refuseFirst?: number } = {}): Promise<TestSmtpServer> {
  const parse = opts.parse !== false;
  const received: ReceivedMail[] = [];
  let toRefuse = opts.refuseFirst ?? 0;
  let refused = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const settle = () => {
    for (const w of [...waiters]) if (received.length >= w.count) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  };

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 10 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (toRefuse > 0) {
          toRefuse -= 1;
          refused += 1;
          const err = Object.assign(new Error('Try again later (test server refusing)'), { responseCode: 451 });
          callback(err);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const envelopeTo = session.envelope.rcptTo.map((a) => a.address);
        const finish = (parsed: ParsedMail | null) => {
          received.push({
            messageId: parsed?.messageId ?? headerOf(raw, 'Message-ID'),
            envelopeTo,
            raw,
            parsed,
            header: (name) => headerOf(raw, name),
          });
          settle();
          callback();
        };
        if (parse) simpleParser(raw).then(finish, (err: Error) => callback(err));
        else finish(null);
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  server.on('error', () => undefined);
  const address = (server as unknown as { server: { address(): { port: number } } }).server.address();
  const port = address.port;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    received,
    refusedCount: () => refused,
    refuse(n) {
      toRefuse = n;
    },
    waitFor(count, timeoutMs = 20_000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`expected ${count} mails, got ${received.length} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, resolve: () => { clearTimeout(timer); resolve(received); } });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
