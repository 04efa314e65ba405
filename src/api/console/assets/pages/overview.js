// Overview: suspended now by reason, decisions in the last 24 h by source and rule, the review queue, dead letters,
// consumer lag and the last dunning sweep, with charts of suspensions per hour and hits per rule. Refreshes live.
import { get } from '../api.js';
import { barChart, columnChart } from '../charts.js';
import { h, replace } from '../dom.js';
import { count, hourLabel, time } from '../format.js';

function stat(label, value, extra) {
  return h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value), extra ?? null);
}

function hours(o) {
  const end = new Date(o.generatedAt);
  end.setUTCMinutes(0, 0, 0);
  const by = new Map(o.suspensionsPerHour.map((p) => [new Date(p.hour).getTime(), p.count]));
  const out = [];
  for (let i = 23; i >= 0; i--) {
    const t = end.getTime() - i * 3600_000;
    const iso = new Date(t).toISOString();
    out.push({ label: hourLabel(iso), value: by.get(t) ?? 0, tick: i % 4 === 0 ? hourLabel(iso) : '' });
  }
  return out;
}

function view(o, me) {
  const total = o.suspensionsPerHour.reduce((a, p) => a + p.count, 0);
  const src = o.decisions24h.bySource;
  const op = o.operator;
  const cards = [
    h('section', { class: 'card', 'aria-labelledby': 'ov-susp' },
      h('h2', { id: 'ov-susp' }, 'Suspended now'),
      h('div', { class: 'stats' },
        stat('Accounts with holds', count(o.suspendedAccounts)),
        stat('Fraudulent dialling', count(o.suspendedByReason.fraud ?? 0)),
        stat('Non-payment', count(o.suspendedByReason.non_payment ?? 0)))),
    h('section', { class: 'card', 'aria-labelledby': 'ov-dec' },
      h('h2', { id: 'ov-dec' }, 'Decisions, last 24 h'),
      h('div', { class: 'stats' },
        stat('By rules', count(src.rule ?? 0)), stat('By dunning', count(src.dunning ?? 0)),
        stat('By people', count(src.operator ?? 0)), stat('Expired', count(src.expiry ?? 0))),
      o.decisions24h.byRule.length > 0
        ? h('table', {}, h('caption', {}, 'By rule'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Rule'), h('th', { scope: 'col' }, 'Decisions'))),
            h('tbody', {}, o.decisions24h.byRule.map((r) => h('tr', {}, h('td', {}, r.rule), h('td', { class: 'num' }, count(r.count))))))
        : h('p', { class: 'muted' }, 'No rule decided anything in the last 24 h.')),
    h('section', { class: 'card', 'aria-labelledby': 'ov-queue' },
      h('h2', { id: 'ov-queue' }, 'Work waiting'),
      h('div', { class: 'stats' },
        stat('Review queue', count(o.reviewQueue), me.role === 'operator' ? h('a', { href: '#/reviews' }, 'Open the queue') : null),
        op ? stat('Dead letters', count(op.deadLetters), h('span', { class: 'muted' }, `${count(op.deadLetters24h)} in 24 h · `, h('a', { href: '#/dead-letters' }, 'see them'))) : null)),
  ];
  if (op) {
    cards.push(h('section', { class: 'card', 'aria-labelledby': 'ov-pipe' },
      h('h2', { id: 'ov-pipe' }, 'Pipeline'),
      h('div', { class: 'stats' }, stat('Last dunning sweep', time(op.lastDunningSweep)), stat('Rules version', op.rules.version ?? '—')),
      op.consumerLag.length > 0
        ? h('table', {}, h('caption', {}, 'Consumer lag'), h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Topic'), h('th', { scope: 'col' }, 'Partition'), h('th', { scope: 'col' }, 'Lag'))),
            h('tbody', {}, op.consumerLag.map((l) => h('tr', {}, h('td', {}, l.topic), h('td', { class: 'num' }, l.partition), h('td', { class: 'num' }, count(l.lag))))))
        : h('p', { class: 'muted' }, 'Consumer lag: no Kafka partitions assigned (input by HTTP ingest).')));
  }
  const hits = o.hitsPerRule.filter((r) => r.warn + r.suspend > 0);
  return h('div', {},
    h('h1', {}, 'Overview'),
    h('p', { class: 'muted' }, 'As of ', time(o.generatedAt), me.role === 'operator' ? '' : ` · within ${me.accountId} and the accounts under it`),
    h('div', { class: 'grid' }, cards),
    h('section', { class: 'card wide', 'aria-labelledby': 'ov-charts' },
      h('h2', { id: 'ov-charts' }, 'Charts'),
      columnChart('Suspensions per hour, last 24 h', `${total} holds placed in the last 24 hours`, hours(o)),
      hits.length > 0
        ? barChart('Rule hits, last 24 h', hits.map((r) => `${r.rule}: ${r.warn + r.suspend}`).join(', '), hits.map((r) => ({ label: r.rule, value: r.warn + r.suspend })))
        : h('p', { class: 'muted' }, 'No rule hits in the last 24 h.')));
}

export async function renderOverview({ me }) {
  const el = h('div', {});
  let last = '';
  const load = async () => {
    const o = await get('/v1/overview');
    const key = JSON.stringify({ ...o, generatedAt: null });
    if (key === last) return;
    last = key;
    replace(el, view(o, me));
  };
  await load();
  return { el, refresh: load };
}
