// The console's entry: sign-in with an API token, the navigation shell, the hash router and the bounded live
// refresh (one request in flight, every 5 s while the tab is visible, only on the overview and an open account).
import { api, ApiProblem, session } from './api.js';
import { announce, field, h, replace } from './dom.js';
import { renderAccount } from './pages/account.js';
import { renderAccounts } from './pages/accounts.js';
import { renderDeadLetters } from './pages/dead-letters.js';
import { renderOverview } from './pages/overview.js';
import { renderReviews } from './pages/reviews.js';
import { renderRules } from './pages/rules.js';

const LIVE_MS = 5000;
const main = document.getElementById('main');
const top = document.getElementById('top');
let me = null;
let current = null;
let timer = null;
let navigation = 0;

const PAGES = [
  { path: 'overview', label: 'Overview', render: renderOverview, live: true },
  { path: 'accounts', label: 'Accounts', render: renderAccounts },
  { path: 'reviews', label: 'Review queue', render: renderReviews, operator: true },
  { path: 'rules', label: 'Rules', render: renderRules, operator: true },
  { path: 'dead-letters', label: 'Dead letters', render: renderDeadLetters, operator: true },
];

function signIn(message) {
  me = null;
  navigation++;
  stopLive();
  top.hidden = true;
  document.title = 'Sign in · suspensiond console';
  const input = h('input', { type: 'password', name: 'token', autocomplete: 'off', required: true, spellcheck: 'false' });
  const error = h('p', { class: 'error', role: 'alert' }, message ?? '');
  const form = h(
    'form',
    { class: 'card signin', 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to the suspensiond console'),
    h('p', {}, 'Paste an API token (from ', h('code', {}, 'suspensiond tokens create'), '). It is kept in this browser tab only and sent to the daemon in a header, never in a URL.'),
    field('API token', input),
    error,
    h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    session.token = input.value.trim();
    input.value = '';
    try {
      await start();
    } catch (err) {
      session.token = null;
      error.textContent = err instanceof ApiProblem && err.status === 401 ? 'That token is not valid.' : `Could not sign in: ${err.message}`;
    }
  });
  replace(main, form);
  input.focus();
}

function shell() {
  const who = me.role === 'operator' ? 'operator' : `${me.role} ${me.accountId}`;
  const out = h('button', { type: 'button', class: 'link', on: { click: () => signOut() } }, 'Sign out');
  const links = PAGES.filter((p) => !p.operator || me.role === 'operator').map((p) => h('li', {}, h('a', { href: `#/${p.path}`, 'data-page': p.path }, p.label)));
  replace(
    top,
    h('a', { class: 'brand', href: '#/overview' }, 'suspensiond'),
    h('nav', { 'aria-label': 'Console pages' }, h('ul', {}, links)),
    h('div', { class: 'who' }, h('span', { class: 'muted' }, 'Signed in as '), h('strong', { 'data-who': '' }, who), ' ', out),
  );
  top.hidden = false;
}

function signOut(message) {
  session.token = null;
  signIn(message);
}

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [head, ...rest] = hash.split('/');
  const [name, query] = (head ?? '').split('?');
  if (name === 'account' && rest.length > 0) return { page: { path: 'account', label: 'Account', render: renderAccount, live: true }, arg: decodeURIComponent(rest.join('/')) };
  const page = PAGES.find((p) => p.path === name) ?? PAGES[0];
  return { page, arg: new URLSearchParams(query ?? '') };
}

function stopLive() {
  if (timer) clearInterval(timer);
  timer = null;
}

async function navigate() {
  if (!me) return;
  stopLive();
  current?.dispose?.();
  const { page, arg } = route();
  for (const a of top.querySelectorAll('nav a')) {
    if (a.dataset.page === page.path) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${page.label} · suspensiond console`;
  const view = { me, arg };
  // A later navigation (a click while this page loads) wins: this one's result is dropped.
  const mine = ++navigation;
  try {
    const rendered = await page.render(view);
    if (mine !== navigation) return;
    current = rendered;
    replace(main, current.el);
  } catch (err) {
    if (mine !== navigation || (err instanceof ApiProblem && err.status === 401)) return;
    current = null;
    replace(main, h('section', { class: 'card' }, h('h1', {}, page.label), h('p', { class: 'error', role: 'alert' }, err.message)));
  }
  main.focus({ preventScroll: true });
  window.scrollTo(0, 0);
  if (page.live && current?.refresh) {
    let busy = false;
    const shown = current;
    timer = setInterval(async () => {
      if (busy || document.visibilityState !== 'visible' || current !== shown) return;
      busy = true;
      try {
        await shown.refresh();
      } catch {
        /* a failed refresh keeps the last view; a 401 signs out through api.js */
      } finally {
        busy = false;
      }
    }, LIVE_MS);
  }
}

async function start() {
  me = await api('GET', '/v1/me');
  shell();
  if (!location.hash) history.replaceState(null, '', '#/overview');
  await navigate();
  announce(`Signed in as ${me.role}`);
}

window.addEventListener('hashchange', () => void navigate());
window.addEventListener('console:signed-out', (e) => signIn(e.detail));
window.addEventListener('console:navigate', () => void navigate());

if (session.token) start().catch((err) => signIn(err instanceof ApiProblem && err.status === 401 ? undefined : err.message));
else signIn();
