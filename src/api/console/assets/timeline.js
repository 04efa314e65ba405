// The account's history (GET /v1/accounts/{id}/history), newest first, in words: holds, lifts, reviews,
// exemptions, inherited status changes, alerts, dunning stages and emails sent.
import { h } from './dom.js';
import { reasonText, sourceText, time } from './format.js';
import { evidenceView } from './evidence.js';

const KINDS = {
  hold_placed: 'Suspended',
  hold_lifted: 'Hold lifted',
  decision_opened: 'Review opened',
  decision_approved: 'Review approved',
  decision_rejected: 'Review rejected',
  exemption_created: 'Exemption created',
  exemption_deleted: 'Exemption removed',
  status_changed: 'Status changed',
  email_sent: 'Email sent',
  email_failed: 'Email not sent',
  alert: 'Warning level reached',
  dunning_stage: 'Dunning stage',
};

function detail(e, currency) {
  const ev = e.evidence ?? {};
  if (e.kind === 'email_sent' || e.kind === 'email_failed') {
    const to = typeof ev.to === 'string' ? ev.to : ev.to && typeof ev.to === 'object' ? ev.to.email : null;
    return h('p', {}, `Template ${ev.template ?? '?'}`, to ? ` to ${to}` : '', ev.messageId ? [' · ', h('code', {}, String(ev.messageId))] : '');
  }
  if ((e.kind === 'hold_placed' || e.kind === 'decision_opened' || e.kind === 'alert') && Object.keys(ev).length > 0) {
    return h('details', {}, h('summary', {}, 'Evidence'), evidenceView(ev, currency));
  }
  return null;
}

export function timelineView(items, currency) {
  if (items.length === 0) return h('p', { class: 'muted' }, 'Nothing has happened to this account yet.');
  return h('ol', { class: 'timeline', reversed: true }, [...items].reverse().map((e) => h('li', { class: `tl-${e.kind}` },
    h('div', { class: 'tl-head' }, time(e.at), ' ', h('strong', {}, KINDS[e.kind] ?? e.kind), e.reason ? ` · ${reasonText(e.reason)}` : '', ` · by ${sourceText(e.actor)}`),
    e.note ? h('p', { class: 'note' }, e.note) : null,
    detail(e, currency))));
}
