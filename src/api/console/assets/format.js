// Dates in the viewer's time zone (UTC on hover), money in the account's currency, durations and ids in words.
import { h } from './dom.js';

const LOCAL = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const HOUR = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

export function utc(iso) {
  return new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

/** A <time> in the viewer's zone whose title is the UTC instant. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return h('span', {}, String(iso));
  return h('time', { datetime: d.toISOString(), title: utc(iso) }, LOCAL.format(d));
}

export const hourLabel = (iso) => HOUR.format(new Date(iso));

/** Major-unit decimal string or number in the account's currency; plain number when no currency is known. */
export function money(amount, currency) {
  const n = Number(amount);
  if (!Number.isFinite(n)) return String(amount);
  if (!currency) return new Intl.NumberFormat(undefined, { maximumFractionDigits: 6 }).format(n);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, maximumFractionDigits: 6 }).format(n);
  } catch {
    return `${n} ${currency}`;
  }
}

/** Integer micro-units (number or string) as a major-unit decimal string, without binary floating point. */
export function microsToMajor(micros) {
  const text = String(micros);
  if (!/^-?\d+$/.test(text)) return text;
  const neg = text.startsWith('-');
  const digits = (neg ? text.slice(1) : text).padStart(7, '0');
  return `${neg ? '-' : ''}${digits.slice(0, -6)}.${digits.slice(-6)}`;
}

/** Milliseconds as the rule files write them: 90s, 10m, 1h, 7d. */
export function duration(ms) {
  if (ms === null || ms === undefined) return '—';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]]) if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  return `${ms}ms`;
}

export const count = (n) => new Intl.NumberFormat().format(n);

export const REASONS = { fraud: 'fraudulent dialling', non_payment: 'non-payment of invoices' };
export const reasonText = (r) => REASONS[r] ?? r ?? '';

/** `rule:x`, `dunning:y`, `operator:t…`, `expiry`, `system` in words. */
export function sourceText(source) {
  if (!source) return '';
  const i = source.indexOf(':');
  const kind = i < 0 ? source : source.slice(0, i);
  const rest = i < 0 ? '' : source.slice(i + 1);
  if (kind === 'rule') return `fraud rule ${rest}`;
  if (kind === 'dunning') return `dunning policy ${rest}`;
  if (kind === 'operator') return `a person (token ${rest})`;
  if (kind === 'expiry') return 'expiry of the hold';
  if (kind === 'system') return 'the daemon';
  return source;
}

export const accountHref = (id) => `#/account/${encodeURIComponent(id)}`;
