// The source-mapping file format (issue 15): how a switch's own CDR records map onto the CDR of CONTRACT §2.
// One YAML file per mapping in MAPPINGS_DIR (default `./mappings`). Validated with zod; problems carry the file,
// line and field (mapping-file.ts). Pure: no I/O.
//
// name: asterisk-csv                      # lowercase letters, digits, dashes; used as ?format / --format NAME
// input: { format: csv, columns: [accountcode, src, ...] }   # json | csv | kv (key=value pairs, e.g. Kamailio acc)
// filter:                                 # every condition must hold, else the record is not a call and is dropped
//   - { field: lastapp, notIn: [Hangup] }
// fields:                                 # CDR field -> where it comes from
//   id:        { path: uniqueid }                            # a path (dots and [n] index), or a list: first non-empty
//   accountId: { path: [accountcode, src] }
//   direction: { value: outbound }                           # a constant
//   startedAt: { path: start, time: local, zone: UTC }       # epoch_s | epoch_ms | epoch_us | rfc3339 | local
//   durationSec: { path: billsec, unit: s }                  # s | ms | us | ns | go_duration
//   cost:      { path: cost_pence, money: minor, digits: 2 } # major | minor
//   disposition: { path: disposition, map: { ANSWERED: answered }, default: failed }
//   id:        { join: [uniqueid, start], separator: ":" }   # several values joined
import { z } from 'zod';

export const CDR_FIELDS = [
  'id', 'accountId', 'direction', 'caller', 'callee', 'startedAt', 'answeredAt', 'endedAt', 'durationSec',
  'disposition', 'cost', 'currency', 'phase',
] as const;
export type CdrField = (typeof CDR_FIELDS)[number];

const pathText = z.string().min(1).max(200).regex(/^[^\s]+$/, 'must be a field path without spaces');
const timeFormat = z.enum(['epoch_s', 'epoch_ms', 'epoch_us', 'rfc3339', 'local']);
const ianaZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Europe/London');

export const fieldSpecSchema = z
  .strictObject({
    path: z.union([pathText, z.array(pathText).min(1).max(8)]).optional(),
    join: z.array(pathText).min(2).max(8).optional(),
    separator: z.string().max(8).optional(),
    value: z.union([z.string(), z.number()]).optional(),
    time: timeFormat.optional(),
    /** For `time: local`: the zone the switch writes local times in. */
    zone: ianaZone.optional(),
    unit: z.enum(['s', 'ms', 'us', 'ns', 'go_duration']).optional(),
    money: z.enum(['major', 'minor']).optional(),
    /** Minor units per major unit as a power of ten (default 2: pence, cents). */
    digits: z.number().int().min(0).max(6).optional(),
    map: z.record(z.string(), z.string()).optional(),
    /** A value `map` does not list; without it such a value is an error. */
    default: z.string().optional(),
    /** Values that mean "absent" (default: the empty string; times also treat 0 as absent). */
    emptyValues: z.array(z.string()).optional(),
  })
  .refine((s) => [s.path, s.join, s.value].filter((x) => x !== undefined).length === 1, 'needs exactly one of path, join, value')
  .refine((s) => s.time !== 'local' || s.zone !== undefined, 'time: local needs a zone');

export const filterSchema = z
  .strictObject({
    field: pathText,
    in: z.array(z.string()).min(1).optional(),
    notIn: z.array(z.string()).min(1).optional(),
    present: z.boolean().optional(),
    matches: z.string().optional(),
  })
  .refine((f) => [f.in, f.notIn, f.present, f.matches].filter((x) => x !== undefined).length === 1, 'needs exactly one of in, notIn, present, matches');

export const mappingSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lowercase letters, digits and dashes'),
  description: z.string().max(500).optional(),
  input: z.strictObject({
    format: z.enum(['json', 'csv', 'kv']),
    /** csv: the column names in order (Asterisk's Master.csv has no header line). */
    columns: z.array(z.string().min(1)).min(1).optional(),
    /** csv: the first line names the columns (instead of `columns`). */
    header: z.boolean().optional(),
    /** csv: the field separator (default ","). kv: the pair separator (default ";"). */
    separator: z.string().min(1).max(4).optional(),
    /** kv: text before the first pair to strip, e.g. "ACC: transaction answered: " (a regular expression). */
    prefix: z.string().max(200).optional(),
  }),
  filter: z.array(filterSchema).max(20).optional(),
  fields: z
    .strictObject(Object.fromEntries(CDR_FIELDS.map((f) => [f, fieldSpecSchema.optional()])) as Record<CdrField, z.ZodOptional<typeof fieldSpecSchema>>)
    .refine((f) => f.id && f.accountId && f.callee && f.startedAt, 'needs at least id, accountId, callee and startedAt'),
});

export type FieldSpec = z.infer<typeof fieldSpecSchema>;
export type FilterSpec = z.infer<typeof filterSchema>;
export type Mapping = z.infer<typeof mappingSchema>;
