// Public surface of src/events: the wire decoders and their helpers.
export { decodeRecord, INPUT_KINDS, MAX_VALUE_BYTES, type DecodeResult, type DecodedRecord, type InputKind } from './decode-record.js';
export { parseMoneyMicros, formatMicros } from '../domain/money.js';
export { normaliseE164 } from './phone.js';
export { parseRfc3339, parseCalendarDate, absurdTime } from './timestamp.js';
export { idProblem, lineProblem, multilineProblem, timeZoneProblem, emailProblem, parseDuration, jsonTooDeep, MAX_JSON_DEPTH } from './validate.js';
