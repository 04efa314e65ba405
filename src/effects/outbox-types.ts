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
  /** When the row was written: an email waits for its recipient from then (EMAIL_WAIT_FOR_CONTACT). */
  createdAt: Date;
  /** How often the row found no recipient yet (the backoff of its wait). */
  waits: number;
}

export interface EmailRecipient {
  name?: string | null;
  email: string;
}

/**
 * An email as the dispatcher renders it (DEVELOPERS.md). The stored payload carries no recipient: `to` is resolved
 * from the account as stored when the email is sent (rows written before 0010 may still carry a `to`, which is kept).
 */
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
