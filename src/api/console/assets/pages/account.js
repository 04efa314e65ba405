// Account: the status banner with the split effects, each hold with its source and evidence, exemptions, the
// timeline (emails included), and Suspend / Activate with a confirmation saying what stops, what goes on and for
// which descendants. Refreshes live; the forms are never redrawn under the user's hands.
import { api, get, post, qs } from '../api.js';
import { announce, field, h, replace, select } from '../dom.js';
import { accountHref, reasonText, sourceText, time } from '../format.js';
import { evidenceView } from '../evidence.js';
import { confirmDialog } from '../confirm.js';
import { timelineView } from '../timeline.js';

const STOPS = ['Outbound calls', 'Portal access'];
const GOES_ON = ['Inbound calls', 'Emergency calls (999, 112, 911…)', 'Billing of every existing service', 'Connectivity services (a support-desk task)'];

function banner(a) {
  const suspended = a.status === 'suspended';
  const since = a.holds.map((x) => x.since).sort()[0];
  return h('section', { class: `banner ${suspended ? 'bad' : 'ok'}`, role: 'status', 'aria-labelledby': 'banner-title' },
    h('h2', { id: 'banner-title' }, suspended ? 'Suspended' : 'Active'),
    suspended && a.holds.length > 0 ? h('p', {}, `For ${[...new Set(a.holds.map((x) => reasonText(x.reason)))].join(' and ')} since `, time(since), '.') : null,
    a.inheritedFrom.length > 0 ? h('p', {}, 'Inherited from ', a.inheritedFrom.map((id, i) => [i > 0 ? ', ' : '', h('a', { href: accountHref(id) }, id)]), ' (a suspended account above this one).') : null,
    h('div', { class: 'effects' },
      h('div', {}, h('h3', {}, suspended ? 'Stopped' : 'Would stop when suspended'),
        h('ul', { class: 'effect-list', 'data-effects': 'blocked' }, STOPS.map((t) => h('li', { class: suspended ? 'blocked' : null }, t, suspended ? ': blocked' : '')))),
      h('div', {}, h('h3', {}, 'Goes on'),
        h('ul', { class: 'effect-list', 'data-effects': 'continues' }, GOES_ON.map((t) => h('li', { class: 'continues' }, t))))));
}

function holdsView(a) {
  if (a.holds.length === 0) return h('p', { class: 'muted' }, 'No holds of its own.');
  return h('ul', { class: 'holds' }, a.holds.map((x) => h('li', { class: 'hold card' },
    h('h3', {}, `${reasonText(x.reason)} — placed by ${sourceText(x.source)}`),
    h('p', { class: 'muted' }, 'Since ', time(x.since), x.expiresAt ? [' · expires ', time(x.expiresAt)] : ''),
    x.note ? h('p', { class: 'note' }, 'Note: ', x.note) : null,
    evidenceView(x.evidence, a.currency))));
}

function exemptionsView(items, me, reload) {
  if (items.length === 0) return h('p', { class: 'muted' }, 'No exemption in force.');
  return h('ul', { class: 'plain' }, items.map((x) => h('li', {},
    `${x.reason ? reasonText(x.reason) : 'every reason'}${x.rules ? ` (rules ${x.rules.join(', ')})` : ''} until `, time(x.until),
    ` — by ${sourceText(x.createdBy)}`, x.note ? `: ${x.note}` : '',
    me.role === 'operator' ? [' ', h('button', { type: 'button', class: 'link', on: { click: async () => { await api('DELETE', `/v1/exemptions/${encodeURIComponent(x.id)}`); announce('Exemption removed'); await reload(); } } }, 'Remove')] : null)));
}

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function exemptionForm(a, reload) {
  const reason = select('reason', [['fraud', 'Fraudulent dialling'], ['non_payment', 'Non-payment'], ['', 'Every reason']], 'fraud');
  const span = h('input', { type: 'text', name: 'for', required: true, maxlength: 16, placeholder: 'e.g. 7d', pattern: '[1-9][0-9]{0,6}(ms|s|m|h|d)' });
  const note = h('input', { type: 'text', name: 'note', required: true, maxlength: 2000 });
  const msg = h('p', { class: 'error', role: 'alert' });
  const form = h('form', { class: 'filters', 'aria-label': 'New exemption' },
    field('Exempt from', reason), field('For', span, 'a duration: 24h, 7d…'), field('Note', note),
    h('div', { class: 'field actions' }, h('button', { type: 'submit' }, 'Add exemption')), msg);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    const m = /^(\d+)(ms|s|m|h|d)$/.exec(span.value.trim());
    if (!m) {
      msg.textContent = 'For: a duration such as 24h or 7d';
      return;
    }
    const until = new Date(Date.now() + Number(m[1]) * UNIT_MS[m[2]]).toISOString();
    try {
      await post(`/v1/accounts/${encodeURIComponent(a.id)}/exemptions`, { ...(reason.value ? { reason: reason.value } : {}), until, note: note.value.trim() });
      span.value = '';
      note.value = '';
      announce('Exemption added');
      await reload();
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  return form;
}

/** The whole history, oldest first, a page of 500 at a time (bounded: the newest 10,000 entries at most). */
async function history(path) {
  const items = [];
  let cursor = null;
  for (let i = 0; i < 20; i++) {
    const page = await get(qs(`${path}/history`, { limit: 500, cursor }));
    items.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return items;
}

async function descendantsText(a) {
  const page = await get(qs('/v1/account-tree', { parent: a.id, limit: 20 }));
  if (page.items.length === 0) return 'It has no accounts under it.';
  const names = page.items.slice(0, 10).map((c) => c.name ?? c.id).join(', ');
  return `Also affected: the ${page.items.length}${page.nextCursor ? '+' : ''} accounts directly under it (${names}${page.items.length > 10 ? ', …' : ''}) and every account below them.`;
}

function actions(a, me, reload) {
  const canAct = me.role === 'operator' || ((me.role === 'reseller' || me.role === 'channel') && me.accountId !== a.id);
  if (!canAct) return h('p', { class: 'muted' }, 'Your token may not suspend or activate this account.');
  const msg = h('p', { class: 'error', role: 'alert' });
  const reason = select('reason', [['non_payment', 'Non-payment of invoices'], ['fraud', 'Fraudulent dialling']], 'non_payment');
  const note = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
  const suspendForm = h('form', { class: 'action', 'aria-labelledby': 'act-suspend' },
    h('h3', { id: 'act-suspend' }, 'Suspend'), field('Reason', reason), field('Note', note),
    h('button', { type: 'submit', class: 'danger' }, 'Suspend…'));
  suspendForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    const ok = await confirmDialog(`Suspend ${a.name ?? a.id} for ${reasonText(reason.value)}?`,
      [h('p', {}, 'This stops: outbound calls and portal access.'), h('p', {}, 'This goes on: inbound and emergency calls, billing of every service, connectivity services.'), h('p', {}, await descendantsText(a)), h('p', {}, 'The main contact is emailed.')], 'Suspend');
    if (!ok) return;
    try {
      await post(`/v1/accounts/${encodeURIComponent(a.id)}/suspend`, { reason: reason.value, ...(note.value.trim() ? { note: note.value.trim() } : {}) });
      note.value = '';
      announce(`${a.id} suspended`);
      await reload();
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  const aReason = select('reason', [['', 'Every hold I may lift'], ['non_payment', 'Non-payment only'], ['fraud', 'Fraud only']], '');
  const aNote = h('textarea', { name: 'note', rows: 2, maxlength: 2000 });
  const exempt = h('input', { type: 'text', name: 'exemptFor', placeholder: 'e.g. 24h', maxlength: 16, pattern: '[1-9][0-9]{0,6}(ms|s|m|h|d)' });
  const activateForm = h('form', { class: 'action', 'aria-labelledby': 'act-activate' },
    h('h3', { id: 'act-activate' }, 'Activate'), field('Reason', aReason), field('Note', aNote),
    me.role === 'operator' ? field('Exempt for', exempt, 'Until then, automatic rules of the lifted reason open a review instead of suspending.') : null,
    h('button', { type: 'submit', class: 'primary' }, 'Activate…'));
  activateForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    msg.textContent = '';
    const ok = await confirmDialog(`Activate ${a.name ?? a.id}?`,
      [h('p', {}, 'This restores: outbound calls and portal access (unless an account above it is suspended).'),
        h('p', {}, 'Accounts under it come back too, except those with holds of their own.'), h('p', {}, await descendantsText(a))], 'Activate');
    if (!ok) return;
    const body = {};
    if (aReason.value) body.reason = aReason.value;
    if (aNote.value.trim()) body.note = aNote.value.trim();
    if (me.role === 'operator' && exempt.value.trim()) body.exemptFor = exempt.value.trim();
    try {
      await post(`/v1/accounts/${encodeURIComponent(a.id)}/activate`, body);
      aNote.value = '';
      exempt.value = '';
      announce(`${a.id} activated`);
      await reload();
    } catch (err) {
      msg.textContent = err.message;
    }
  });
  return h('div', {}, msg, h('div', { class: 'actions-row' }, suspendForm, activateForm));
}

export async function renderAccount({ me, arg: id }) {
  const path = `/v1/accounts/${encodeURIComponent(id)}`;
  const head = h('div', {});
  const bannerEl = h('div', {});
  const holdsEl = h('div', {});
  const exEl = h('div', {});
  const timelineEl = h('div', {});
  const actionsEl = h('div', {});
  const exFormEl = h('div', {});
  let last = '';
  let first = true;
  // The 5 s refresh and an action's reload can overlap: a load that started earlier but answers later must not
  // put back the state from before the action (a "Suspended" banner seconds after Activate), so only a load newer
  // than the one shown is drawn.
  let started = 0;
  let drawn = 0;
  const load = async () => {
    const mine = ++started;
    const [a, hist, ex] = await Promise.all([get(path), history(path), get(`${path}/exemptions`)]);
    if (mine < drawn) return;
    drawn = mine;
    const key = JSON.stringify([a, hist.length, hist.at(-1)?.id, ex]);
    if (key === last) return;
    last = key;
    document.title = `${a.name ?? a.id} · suspensiond console`;
    replace(head, h('h1', {}, a.name ?? a.id),
      h('p', { class: 'muted' }, `${a.type} · id `, h('code', {}, a.id), a.parentId ? [' · under ', h('a', { href: accountHref(a.parentId) }, a.parentId)] : '',
        a.currency ? ` · ${a.currency}` : '', a.mainContact ? ` · main contact ${a.mainContact.name ?? ''} <${a.mainContact.email}>` : ''));
    replace(bannerEl, banner(a));
    replace(holdsEl, holdsView(a));
    replace(exEl, exemptionsView(ex.items, me, load));
    replace(timelineEl, timelineView(hist, a.currency));
    if (first) {
      replace(actionsEl, actions(a, me, load));
      if (me.role === 'operator') exFormEl.append(exemptionForm(a, load));
    }
    first = false;
  };
  await load();
  const el = h('div', {}, head, bannerEl,
    h('section', { class: 'card', 'aria-labelledby': 'acc-holds' }, h('h2', { id: 'acc-holds' }, 'Holds and evidence'), holdsEl),
    h('section', { class: 'card', 'aria-labelledby': 'acc-actions' }, h('h2', { id: 'acc-actions' }, 'Actions'), actionsEl),
    h('section', { class: 'card', 'aria-labelledby': 'acc-ex' }, h('h2', { id: 'acc-ex' }, 'Exemptions'), exEl, exFormEl),
    h('section', { class: 'card', 'aria-labelledby': 'acc-tl' }, h('h2', { id: 'acc-tl' }, 'Timeline'), timelineEl));
  return { el, refresh: load };
}
