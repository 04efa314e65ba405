// A hold's or decision's evidence in words: the rule, the measure, its value against its level, the window and the
// sample CDRs; any other figures (dunning stages, invoices) as a plain list. Text only.
import { h } from './dom.js';
import { microsToMajor, money } from './format.js';

const MEASURES = {
  calls: 'matching calls', cost: 'summed cost', minutes: 'summed minutes', distinct_callees: 'different numbers called',
  calls_to_one_callee: 'calls to one number', range_scan: 'numbers dialled in one range', concurrent_calls: 'calls at once',
  call_duration: 'length of one call', call_cost: 'cost of one call',
};
const SHOWN = new Set(['rule', 'measure', 'value', 'level', 'threshold', 'unit', 'amount', 'thresholdAmount', 'window', 'sampleCdrIds', 'at']);

function plain(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export function evidenceView(evidence, currency) {
  const e = evidence ?? {};
  const items = [];
  const dd = (k, v, cls) => items.push(h('dt', {}, k), h('dd', { class: cls ?? null }, v));
  if (e.rule !== undefined && e.measure !== undefined) {
    const isMoney = e.amount !== undefined;
    const value = isMoney ? money(e.amount, currency) : plain(e.value);
    const level = isMoney ? money(e.thresholdAmount, currency) : plain(e.threshold);
    const sentence = h('p', { class: 'evidence-words' },
      `Rule ${e.rule}: ${MEASURES[e.measure] ?? e.measure} reached ${value} against its ${e.level ?? 'suspend'} level of ${level}`,
      e.window ? ` within a ${e.window} window.` : '.');
    dd('Rule', plain(e.rule), 'ev-rule');
    dd('Measure', `${e.measure}${e.unit && e.unit !== 'count' ? ` (${e.unit})` : ''}`);
    dd('Value', value, 'ev-value');
    dd('Level', `${level} (${e.level ?? 'suspend'})`, 'ev-level');
    if (e.window) dd('Window', plain(e.window));
    const ids = Array.isArray(e.sampleCdrIds) ? e.sampleCdrIds : [];
    dd('Sample CDRs', ids.length > 0 ? h('ul', { class: 'cdrs' }, ids.map((id) => h('li', {}, h('code', {}, String(id))))) : '—', 'ev-cdrs');
    for (const [k, v] of Object.entries(e)) if (!SHOWN.has(k)) dd(k, plain(v));
    return h('div', { class: 'evidence' }, sentence, h('dl', {}, items));
  }
  if (e.policyId !== undefined && e.overdueMicros !== undefined) {
    const overdue = money(microsToMajor(e.overdueMicros), e.currency ?? currency);
    const sentence = h('p', { class: 'evidence-words' },
      `Dunning policy ${e.policyId}${e.stage ? `, stage ${e.stage}` : ''}: ${overdue} overdue`,
      e.oldestDueAt ? `, the oldest invoice due ${e.oldestDueAt}` : '', e.daysPastDue !== undefined ? ` (${e.daysPastDue} days past due)` : '', '.');
    dd('Policy', plain(e.policyId));
    dd('Overdue', overdue, 'ev-overdue');
    for (const [k, v] of Object.entries(e)) if (!['policyId', 'overdueMicros'].includes(k)) dd(k, plain(v));
    return h('div', { class: 'evidence' }, sentence, h('dl', {}, items));
  }
  for (const [k, v] of Object.entries(e)) dd(k, plain(v));
  return items.length > 0 ? h('div', { class: 'evidence' }, h('dl', {}, items)) : h('p', { class: 'muted' }, 'No evidence recorded.');
}
