// Accounts: search and filters exactly as GET /v1/accounts (type, status, parent, q), and without filters the tree
// (reseller -> channel -> customer) within the actor's scope, each account with its effective status.
import { get, qs } from '../api.js';
import { announce, field, h, replace, select } from '../dom.js';
import { accountHref } from '../format.js';
import { statusBadge } from '../status.js';

const TYPES = [['', 'Any type'], ['reseller', 'Reseller'], ['channel', 'Channel'], ['customer', 'Customer']];
const STATUSES = [['', 'Any status'], ['active', 'Active'], ['suspended', 'Suspended']];

function row(a) {
  return h('tr', { class: a.status === 'suspended' ? 'suspended' : null },
    h('td', {}, h('a', { href: accountHref(a.id) }, a.name ?? a.id), h('div', { class: 'muted small' }, a.id)),
    h('td', {}, a.type), h('td', {}, a.parentId ? h('a', { href: accountHref(a.parentId) }, a.parentId) : '—'), h('td', {}, statusBadge(a)));
}

function treeNode(a) {
  const li = h('li', { class: a.status === 'suspended' ? 'suspended' : null });
  const kids = h('ul', { hidden: true });
  const label = [h('a', { href: accountHref(a.id) }, a.name ?? a.id), ' ', h('span', { class: 'muted small' }, `${a.type} · ${a.id}`), ' ', statusBadge(a)];
  if (a.children > 0) {
    const btn = h('button', { type: 'button', class: 'toggle', 'aria-expanded': 'false', 'aria-label': `Show the ${a.children} accounts under ${a.name ?? a.id}` }, '▸');
    let loaded = false;
    btn.addEventListener('click', async () => {
      const open = btn.getAttribute('aria-expanded') === 'true';
      btn.setAttribute('aria-expanded', String(!open));
      btn.textContent = open ? '▸' : '▾';
      kids.hidden = open;
      if (!open && !loaded) {
        loaded = true;
        await fillList(kids, { parent: a.id, limit: 200 });
      }
    });
    li.append(btn, ...label, h('span', { class: 'muted small' }, ` (${a.children})`), kids);
  } else li.append(h('span', { class: 'toggle-space', 'aria-hidden': 'true' }), ...label);
  return li;
}

async function fillList(ul, params) {
  const page = await get(qs('/v1/account-tree', params));
  replace(ul, page.items.map(treeNode));
  if (page.nextCursor) {
    const more = h('button', { type: 'button', class: 'link' }, 'More…');
    more.addEventListener('click', async () => {
      const next = await get(qs('/v1/account-tree', { ...params, cursor: page.nextCursor }));
      more.parentElement.remove();
      ul.append(...next.items.map(treeNode));
    });
    ul.append(h('li', {}, more));
  }
}

export async function renderAccounts({ arg }) {
  const filters = { q: arg.get('q') ?? '', type: arg.get('type') ?? '', status: arg.get('status') ?? '', parent: arg.get('parent') ?? '' };
  const q = h('input', { type: 'search', name: 'q', value: filters.q, maxlength: 100, placeholder: 'name or id' });
  const type = select('type', TYPES, filters.type);
  const status = select('status', STATUSES, filters.status);
  const parent = h('input', { type: 'text', name: 'parent', value: filters.parent, maxlength: 128 });
  const form = h('form', { role: 'search', class: 'filters', 'aria-label': 'Find accounts' },
    field('Search', q), field('Type', type), field('Status', status), field('Parent id', parent),
    h('div', { class: 'field actions' }, h('button', { type: 'submit', class: 'primary' }, 'Search'), h('a', { href: '#/accounts', class: 'button' }, 'Clear')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, v] of [['q', q.value.trim()], ['type', type.value], ['status', status.value], ['parent', parent.value.trim()]]) if (v) p.set(k, v);
    location.hash = `#/accounts?${p}`;
  });
  const filtered = Object.values(filters).some((v) => v);
  let body;
  if (filtered) {
    const page = await get(qs('/v1/account-tree', { ...filters, limit: 100 }));
    const tbody = h('tbody', {}, page.items.map(row));
    const heading = h('h2', { id: 'acc-results' });
    let shown = page.items.length;
    let cursor = page.nextCursor;
    const more = h('button', { type: 'button', hidden: !cursor }, 'More results');
    const title = () => (heading.textContent = `${shown}${cursor ? '+' : ''} accounts found`);
    more.addEventListener('click', async () => {
      const next = await get(qs('/v1/account-tree', { ...filters, limit: 100, cursor }));
      tbody.append(...next.items.map(row));
      shown += next.items.length;
      cursor = next.nextCursor;
      more.hidden = !cursor;
      title();
      announce(`${next.items.length} more accounts`);
    });
    title();
    body = h('section', { 'aria-labelledby': 'acc-results' }, heading,
      page.items.length === 0
        ? h('p', {}, 'No account matches.')
        : [h('div', { class: 'scroll' }, h('table', { class: 'accounts' },
            h('thead', {}, h('tr', {}, ['Account', 'Type', 'Parent', 'Status'].map((c) => h('th', { scope: 'col' }, c)))), tbody)), more]);
  } else {
    const ul = h('ul', { class: 'tree', 'aria-label': 'Accounts tree' });
    await fillList(ul, { limit: 200 });
    body = h('section', { 'aria-labelledby': 'acc-tree' }, h('h2', { id: 'acc-tree' }, 'Tree'), ul);
  }
  return { el: h('div', {}, h('h1', {}, 'Accounts'), h('section', { class: 'card' }, form), h('div', { class: 'card' }, body)) };
}
