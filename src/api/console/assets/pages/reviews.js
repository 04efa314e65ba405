// Review queue (operator): pending decisions with their evidence; approve (the hold is placed) or reject, with an
// optional exemption (exemptFor) that keeps automatic rules of the reason from suspending again for that long.
import { get, post, qs } from '../api.js';
import { announce, field, h, replace } from '../dom.js';
import { accountHref, reasonText, sourceText, time } from '../format.js';
import { evidenceView } from '../evidence.js';

function item(d, reload) {
  const note = h('input', { type: 'text', name: 'note', maxlength: 2000 });
  const exempt = h('input', { type: 'text', name: 'exemptFor', maxlength: 16, placeholder: 'e.g. 24h' });
  const msg = h('p', { class: 'error', role: 'alert' });
  const act = (action) => async () => {
    msg.textContent = '';
    const body = {};
    if (note.value.trim()) body.note = note.value.trim();
    if (action === 'reject' && exempt.value.trim()) body.exemptFor = exempt.value.trim();
    try {
      await post(`/v1/decisions/${encodeURIComponent(d.id)}/${action}`, body);
      announce(`Decision on ${d.accountId} ${action === 'approve' ? 'approved' : 'rejected'}`);
      await reload();
    } catch (err) {
      msg.textContent = err.message;
    }
  };
  return h('li', { class: 'card review', 'data-decision': d.id, 'aria-labelledby': `rv-${d.id}` },
    h('h2', { id: `rv-${d.id}` }, h('a', { href: accountHref(d.accountId) }, d.accountId), ` — ${reasonText(d.reason)} by ${sourceText(d.source)}`),
    h('p', { class: 'muted' }, 'Opened ', time(d.createdAt)),
    d.note ? h('p', { class: 'note' }, d.note) : null,
    evidenceView(d.evidence, null),
    h('div', { class: 'filters' }, field('Note', note), field('Exempt for (on reject)', exempt, 'e.g. 24h: no automatic suspension for this reason until then')),
    msg,
    h('div', { class: 'actions-row' },
      h('button', { type: 'button', class: 'danger', on: { click: act('approve') } }, 'Approve (suspend)'),
      h('button', { type: 'button', on: { click: act('reject') } }, 'Reject')));
}

export async function renderReviews() {
  const list = h('ul', { class: 'plain' });
  const count = h('p', {});
  const load = async () => {
    const page = await get(qs('/v1/decisions', { state: 'pending', limit: 200 }));
    count.textContent = `${page.items.length}${page.nextCursor ? '+' : ''} pending decisions, oldest first.`;
    replace(list, page.items.length === 0 ? h('li', { class: 'muted' }, 'Nothing waits for review.') : page.items.map((d) => item(d, load)));
  };
  await load();
  return { el: h('div', {}, h('h1', {}, 'Review queue'), count, list) };
}
