// Dead letters (operator): rejected input with its reason, source topic, partition and offset, and its raw bytes
// shown as text (never interpreted) or base64 when they are not UTF-8.
import { get, qs } from '../api.js';
import { h } from '../dom.js';
import { time } from '../format.js';

export async function renderDeadLetters() {
  const page = await get(qs('/v1/dead-letters', { limit: 100 }));
  const list = page.items.length === 0
    ? h('p', { class: 'muted' }, 'No rejected input.')
    : h('ul', { class: 'plain' }, page.items.map((d) => h('li', { class: 'card dead-letter' },
        h('h2', {}, d.error ?? 'rejected'),
        h('p', { class: 'muted' }, time(d.receivedAt), ` · topic ${d.topic ?? '—'} · partition ${d.partition ?? '—'} · offset ${d.offset ?? '—'}`, d.key ? [' · key ', h('code', {}, d.key)] : ''),
        h('details', {}, h('summary', {}, `Raw bytes (${d.valueEncoding})`), h('pre', { class: 'raw' }, d.value ?? '')))));
  return { el: h('div', {}, h('h1', {}, 'Dead letters'), h('p', {}, `${page.items.length}${page.nextCursor ? '+' : ''} rejected ${page.items.length === 1 ? 'record' : 'records'}, newest first.`), list) };
}
