// The stable Message-ID of an outbox email: derived only from the row (id and dedupe key), so a resend of the same
// row after a crash carries the same Message-ID and mail systems and people can recognise it as the same message.
import { createHash } from 'node:crypto';

export const MESSAGE_ID_DOMAIN = 'suspensiond';

export function messageIdFor(row: { id: string; dedupeKey: string }): string {
  const hash = createHash('sha256').update(row.dedupeKey).digest('hex').slice(0, 16);
  return `<outbox-${row.id}-${hash}@${MESSAGE_ID_DOMAIN}>`;
}

/** A file-system-safe name for a Message-ID (used for `.eml` files). */
export function messageIdFileName(messageId: string): string {
  return messageId.replace(/^<|>$/g, '').replace(/[^A-Za-z0-9._@-]/g, '_');
}
