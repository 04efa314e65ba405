// Renders an outbox email payload with the loaded templates. An unknown template name (a dunning stage whose rule
// names an email there is no template for) falls back to the generic overdue notice rather than failing the send.
import type { Logger } from '../log.js';
import { buildEmailView, type EmailViewOptions } from './email-view.js';
import type { EmailPayload, EmailRenderer, RenderedEmail } from './outbox-types.js';
import { FALLBACK_TEMPLATE, type TemplateSet } from './template-store.js';

export function createEmailRenderer(templates: TemplateSet, opts: EmailViewOptions & { logger?: Logger }): EmailRenderer {
  const warned = new Set<string>();
  return (payload: EmailPayload): RenderedEmail => {
    let name = payload.template;
    if (!templates.has(name)) {
      if (opts.logger && !warned.has(name)) {
        warned.add(name);
        opts.logger.warn({ template: name, fallback: FALLBACK_TEMPLATE }, 'no email template of this name; using the fallback');
      }
      name = FALLBACK_TEMPLATE;
    }
    const t = templates.get(name);
    const view = buildEmailView(payload, opts);
    return { template: name, subject: t.subject(view), text: t.text(view), html: t.html(view) };
  };
}
