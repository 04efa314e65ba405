// Hand-drawn SVG bar charts (no library): bars scale to the largest value; each bar has a <title> with its figure,
// and the chart is an image labelled with its title and a one-line summary for screen readers.
import { h, newId, s } from './dom.js';

/** Vertical bars over a sequence (e.g. hours). data: [{ label, value, tick? }]. */
export function columnChart(title, summary, data) {
  const w = 720, ht = 180, pad = 24, base = ht - pad;
  const max = Math.max(1, ...data.map((d) => d.value));
  const step = (w - pad * 2) / Math.max(1, data.length);
  const id = newId('chart');
  const bars = data.map((d, i) => {
    const bh = Math.round(((base - 12) * d.value) / max);
    const x = pad + i * step;
    return s('g', {},
      s('rect', { x: x + 2, y: base - bh, width: Math.max(2, step - 4), height: bh, class: 'bar' }, s('title', {}, `${d.label}: ${d.value}`)),
      d.tick ? s('text', { x: x + step / 2, y: ht - 6, 'text-anchor': 'middle', class: 'tick' }, d.tick) : null,
      d.value > 0 ? s('text', { x: x + step / 2, y: base - bh - 3, 'text-anchor': 'middle', class: 'val' }, String(d.value)) : null,
    );
  });
  return h('figure', { class: 'chart' },
    s('svg', { viewBox: `0 0 ${w} ${ht}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d` },
      s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, summary),
      s('line', { x1: pad, x2: w - pad, y1: base, y2: base, class: 'axis' }),
      bars),
    h('figcaption', {}, title));
}

/** Horizontal bars with a label per row. data: [{ label, value, parts? }]. */
export function barChart(title, summary, data) {
  const id = newId('chart');
  const rowH = 22, labelW = 190, w = 720;
  const max = Math.max(1, ...data.map((d) => d.value));
  const ht = Math.max(rowH, data.length * rowH) + 4;
  const rows = data.map((d, i) => {
    const y = i * rowH + 2;
    const bw = Math.round(((w - labelW - 50) * d.value) / max);
    return s('g', {},
      s('text', { x: labelW - 6, y: y + 15, 'text-anchor': 'end', class: 'tick' }, d.label),
      s('rect', { x: labelW, y: y + 3, width: Math.max(d.value > 0 ? 2 : 0, bw), height: rowH - 6, class: 'bar' }, s('title', {}, `${d.label}: ${d.value}`)),
      s('text', { x: labelW + bw + 6, y: y + 15, class: 'val' }, String(d.value)),
    );
  });
  return h('figure', { class: 'chart' },
    s('svg', { viewBox: `0 0 ${w} ${ht}`, role: 'img', 'aria-labelledby': `${id}-t ${id}-d` },
      s('title', { id: `${id}-t` }, title), s('desc', { id: `${id}-d` }, summary), rows),
    h('figcaption', {}, title));
}
