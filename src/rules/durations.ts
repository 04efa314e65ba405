// Pure parsers for the small textual formats of rule files (CONTRACT §3): durations, local-time ranges, weekdays and
// money. Money becomes integer micro-units by string arithmetic only; this module never uses binary floats for money.
import { parseMoneyMicros } from '../domain/money.js';

const DURATION = /^(\d{1,9})(s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30s`, `10m`, `1h`, `24h`, `3d` -> milliseconds; null when malformed or zero. */
export function parseDuration(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  return ms > 0 ? ms : null;
}

/** The shortest exact spelling of a duration, for messages and evidence (`600000` -> `10m`). */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    const size = UNIT_MS[unit]!;
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

const CLOCK = /^([01]\d|2[0-4]):([0-5]\d)$/;

function clockMinutes(text: string): number | null {
  const m = CLOCK.exec(text);
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return minutes <= 1440 ? minutes : null;
}

/** `"19:00-07:00"` -> minutes since local midnight, `[from, to)`; from > to wraps midnight. Null when malformed. */
export function parseHours(text: string): { from: number; to: number } | null {
  const parts = text.split('-');
  if (parts.length !== 2) return null;
  const from = clockMinutes(parts[0]!.trim());
  const to = clockMinutes(parts[1]!.trim());
  if (from === null || to === null || from === to || from === 1440) return null;
  return { from, to: to === 1440 ? 0 : to };
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/** `mon` -> 1 (0 = sunday), or -1. */
export function parseWeekday(text: string): number {
  return (WEEKDAYS as readonly string[]).indexOf(text);
}

/** An amount of a rule file (`"5.00"` or `5`) in micro-units; null when negative, malformed or over 6 decimals. */
export function parseRuleAmount(value: string | number): number | null {
  const micros = parseMoneyMicros(value);
  return typeof micros === 'number' && micros >= 0 ? micros : null;
}
