// The account snapshot wire schema (CONTRACT §2 Account) -> AccountRecord. `parentId` is required for channels and
// customers and must be absent for resellers (the roots of the tree). `updatedAt` orders snapshots.
import { z } from 'zod';
import { currency, email, id, line, oneOf, optional, text, timestamp, timezone } from './fields.js';
import type { AccountRecord } from './types.js';

const contact = z.object(
  {
    // A display name goes into a mail header: no CR, LF, NEL or line separators once JSON escapes are decoded.
    name: optional(line(200)),
    email: email(),
  },
  { error: 'must be an object with an email' },
);

export const accountSchema = z
  .object({
    id: id(),
    type: oneOf(['reseller', 'channel', 'customer']),
    parentId: optional(id()),
    name: optional(line(500)),
    mainContact: optional(contact),
    timezone: optional(timezone()),
    currency: optional(currency()),
    tags: optional(z.array(text(100), { error: 'must be an array of strings' }).max(100, { error: 'must hold at most 100 tags' })),
    closed: optional(z.boolean({ error: 'must be true or false' })),
    updatedAt: optional(timestamp()),
  })
  .superRefine((a, ctx) => {
    if (a.type !== 'reseller' && a.parentId === null) ctx.addIssue({ code: 'custom', path: ['parentId'], message: `required for a ${a.type}` });
    if (a.type === 'reseller' && a.parentId !== null) ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'must be absent for a reseller' });
    if (a.parentId !== null && a.parentId === a.id) ctx.addIssue({ code: 'custom', path: ['parentId'], message: 'must not be the account itself' });
  });

export type ParsedAccount = z.output<typeof accountSchema>;

/** The trusted record; a snapshot without `updatedAt` is stamped with its arrival time. */
export function toAccountRecord(a: ParsedAccount, arrivedAtMs: number): AccountRecord {
  return {
    id: a.id,
    type: a.type,
    parentId: a.parentId,
    name: a.name,
    mainContact: a.mainContact ? { ...(a.mainContact.name != null ? { name: a.mainContact.name } : {}), email: a.mainContact.email } : null,
    timezone: a.timezone,
    currency: a.currency,
    tags: a.tags ? [...new Set(a.tags)] : [],
    closed: a.closed ?? false,
    updatedAt: new Date(a.updatedAt ?? arrivedAtMs).toISOString(),
  };
}
