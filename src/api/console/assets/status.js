// Status badges shared by the pages: suspended accounts stand out, and inherited ones say from whom.
import { h } from './dom.js';
import { accountHref, reasonText } from './format.js';

/** item: { status, holdReasons?, inheritedFrom? } */
export function statusBadge(item) {
  if (item.status !== 'suspended') return h('span', { class: 'badge ok' }, 'active');
  const own = item.holdReasons ?? [];
  const from = item.inheritedFrom ?? [];
  return h('span', { class: 'status-cell' },
    h('span', { class: 'badge bad' }, 'suspended'),
    own.length > 0 ? h('span', { class: 'why' }, own.map(reasonText).join(', ')) : null,
    from.length > 0 ? h('span', { class: 'why' }, 'inherited from ', from.map((id, i) => [i > 0 ? ', ' : '', h('a', { href: accountHref(id) }, id)])) : null);
}
