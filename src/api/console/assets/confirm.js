// A modal confirmation (<dialog>, so focus stays inside and Escape cancels) that resolves true or false.
import { h } from './dom.js';

export function confirmDialog(title, body, confirmLabel) {
  return new Promise((resolve) => {
    const yes = h('button', { type: 'submit', value: 'yes', class: 'primary' }, confirmLabel);
    const no = h('button', { type: 'submit', value: 'no', formnovalidate: true }, 'Cancel');
    const dialog = h('dialog', { 'aria-labelledby': 'confirm-title', class: 'confirm' },
      h('form', { method: 'dialog' }, h('h2', { id: 'confirm-title' }, title), body, h('div', { class: 'actions-row' }, yes, no)));
    dialog.addEventListener('close', () => {
      const ok = dialog.returnValue === 'yes';
      dialog.remove();
      resolve(ok);
    });
    document.body.append(dialog);
    dialog.showModal();
    no.focus();
  });
}
