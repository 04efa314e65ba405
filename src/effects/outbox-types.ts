// The outbox's row shape and the two sink interfaces the dispatcher talks to. No I/O here.
// Sinks know nothing of the database; the dispatcher knows nothing of Kafka or SMTP.

export type OutboxKind = 'status' | 'email';
export const OUTBOX_KINDS: readonly OutboxKind[] = ['status', 'email'];

export type OutboxState = 'pending' | 'done' | 'parked' | 'skipped';

export interface OutboxRow {
  id: string;
  accountId: string;
  kind: OutboxKind;
  payload: unknown;
  dedupeKey: string;
  /** Attempts so far, including the current claim. */
  attempts: number;
}

export interface EmailRecipient {
  name?: string | null;
  email: string;
}

/** What `executeTransition` stores for an email (DEVELOPERS.md). The dispatcher renders it. */
export interface EmailPayload {
  template: string;
  accountId: string;
  to: EmailRecipient | null;
  data: Record<string, unknown>;
}

/** One status message for the status topic: key = accountId, value = the CONTRACT §2 status JSON as stored. */
export interface StatusMessage {
  accountId: string;
  value: unknown;
}

export interface StatusSink {
  /** Publishes the batch in order; resolves only when every message is acknowledged by all in-sync replicas. */
  publish(messages: StatusMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface OutgoingEmail {
  /** Stable per outbox row, `<...@...>` form, so a resend after a crash is recognisable. */
  messageId: string;
  to: EmailRecipient;
  subject: string;
  text: string;
  html: string;
  headers: Record<string, string>;
}

export interface EmailSink {
  /** Resolves when the message is accepted (by the SMTP server, or written to disk). Rejects on any failure. */
  send(mail: OutgoingEmail): Promise<void>;
  close(): Promise<void>;
}

export interface RenderedEmail {
  /** The template actually used (a fallback replaces an unknown name). */
  template: string;
  subject: string;
  text: string;
  html: string;
}

export type EmailRenderer = (payload: EmailPayload) => RenderedEmail;
