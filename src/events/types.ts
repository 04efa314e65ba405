// The parsed, trusted shapes of the input records (CONTRACT §2). src/events/*-schema.ts parse wire JSON into these.
// Money is integer micro-units (1 major unit = 1_000_000); times are epoch milliseconds.
import type { Account } from '../domain/types.js';

export type AccountRecord = Account;

export type Direction = 'outbound' | 'inbound';
export type Disposition = 'answered' | 'no_answer' | 'busy' | 'failed' | 'cancelled';
export type CdrPhase = 'start' | 'end';

export interface CdrRecord {
  id: string;
  accountId: string;
  direction: Direction;
  /** E.164 where it could be normalised, else as received (trimmed). */
  caller: string | null;
  callee: string;
  startedAt: number;
  answeredAt: number | null;
  endedAt: number | null;
  durationSec: number | null;
  disposition: Disposition | null;
  /** Micro-units; null when absent. */
  costMicros: number | null;
  currency: string | null;
  phase: CdrPhase;
}

export type InvoiceEventType =
  | 'issued'
  | 'overdue'
  | 'payment'
  | 'paid'
  | 'voided'
  | 'written_off'
  | 'disputed'
  | 'dispute_resolved';

export interface InvoiceEventRecord {
  id: string;
  type: InvoiceEventType;
  invoiceId: string;
  accountId: string;
  currency: string;
  totalMicros: number | null;
  outstandingMicros: number;
  /** YYYY-MM-DD (a calendar date; days are counted in the account's time zone). */
  dueAt: string | null;
  occurredAt: number;
}

export { MICROS } from '../domain/money.js';
