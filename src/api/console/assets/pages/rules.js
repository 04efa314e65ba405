// Rules (operator): every fraud rule and dunning policy with its mode, levels and hits in the last 24 h, and the
// loaded version and reload outcomes.
import { get } from '../api.js';
import { h } from '../dom.js';
import { count, duration, microsToMajor, time } from '../format.js';

const th = (t) => h('th', { scope: 'col' }, t);

export async function renderRules() {
  const [rules, o] = await Promise.all([get('/v1/rules'), get('/v1/overview')]);
  const hits = new Map(o.hitsPerRule.map((r) => [r.rule, r]));
  const reloads = o.operator?.rules.reloads ?? {};
  const last = o.operator?.rules.lastReload ?? null;
  const fraud = h('div', { class: 'scroll' }, h('table', {},
    h('caption', {}, 'Fraud rules'),
    h('thead', {}, h('tr', {}, ['Rule', 'Mode', 'Measure', 'Window', 'Warn at', 'Suspend at', 'Releases after', 'Hits 24 h (warn / suspend)'].map(th))),
    h('tbody', {}, rules.fraud.map((r) => {
      const x = hits.get(r.id) ?? { warn: 0, suspend: 0 };
      return h('tr', {},
        h('td', {}, h('strong', {}, r.id), r.description ? h('div', { class: 'muted small' }, r.description) : null),
        h('td', {}, h('span', { class: `badge mode-${r.mode}` }, r.mode ?? 'enforce')), h('td', {}, r.measure),
        h('td', {}, r.windowMs === null ? 'per call' : duration(r.windowMs)), h('td', { class: 'num' }, r.warn ?? '—'),
        h('td', { class: 'num' }, r.suspend ?? '—', r.baseline ? h('div', { class: 'muted small' }, `or ${r.baseline.factor}× usual, min ${r.baseline.minimum}`) : null),
        h('td', {}, r.releaseAfterMs ? duration(r.releaseAfterMs) : 'an operator lifts it'),
        h('td', { class: 'num' }, `${count(x.warn)} / ${count(x.suspend)}`));
    }))));
  const dunning = h('div', { class: 'scroll' }, h('table', {},
    h('caption', {}, 'Dunning policies'),
    h('thead', {}, h('tr', {}, ['Policy', 'Stages', 'Minimum overdue', 'Reactivated when'].map(th))),
    h('tbody', {}, rules.dunning.map((p) => h('tr', {},
      h('td', {}, h('strong', {}, p.id)),
      h('td', {}, h('ul', { class: 'plain' }, (p.stages ?? []).map((s) => h('li', {}, `${s.afterDays} days past due: ${[s.email ? `email ${s.email}` : '', s.suspend ? 'suspend' : ''].filter(Boolean).join(', ')}`)))),
      h('td', {}, `${microsToMajor(p.minOverdueMicros)} (in each currency)`),
      h('td', {}, p.reactivateWhen ?? (p.reactivateOnPayment ? 'below_suspend_stage (on payment)' : 'an operator lifts it')))))));
  return {
    el: h('div', {}, h('h1', {}, 'Rules'),
      h('section', { class: 'card' }, h('h2', {}, 'Loaded rules'),
        h('p', {}, 'Version ', h('code', {}, rules.version ?? '—'), ' loaded ', time(rules.loadedAt), '. Reloads since start: ',
          `${count(reloads.success ?? 0)} succeeded, ${count(reloads.failure ?? 0)} failed`,
          '.'),
        last
          ? h('p', { class: last.outcome === 'failure' ? 'error' : null, 'data-last-reload': last.outcome },
              'Last reload ', time(last.at), last.outcome === 'success' ? ': succeeded.' : ': FAILED — the previous rules stay in force; the log names the file, line and field.')
          : h('p', { class: 'muted' }, 'No reload since the daemon started.')),
      h('section', { class: 'card' }, fraud), h('section', { class: 'card' }, dunning)),
  };
}
