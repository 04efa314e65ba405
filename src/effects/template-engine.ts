// A deliberately tiny template language for the email templates, so overrides need no code:
//   {{name}}               a value (HTML-escaped in HTML bodies)
//   {{#name}}...{{/name}}  the block when the value is present and not false/empty
//   {{^name}}...{{/name}}  the block when it is not
// Pure: compiles text to a function of a flat view. A syntax error names the template and the offset.
export type TemplateView = Record<string, string | number | boolean | null | undefined>;
export type CompiledTemplate = (view: TemplateView) => string;

type Node =
  | { t: 'text'; text: string }
  | { t: 'var'; name: string }
  | { t: 'section'; name: string; inverted: boolean; children: Node[] };

export class TemplateSyntaxError extends Error {
  constructor(source: string, message: string) {
    super(`${source}: ${message}`);
    this.name = 'TemplateSyntaxError';
  }
}

const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}/g;

export function compileTemplate(text: string, source: string, escape: (s: string) => string): CompiledTemplate {
  const root: Node[] = [];
  const stack: { name: string; children: Node[] }[] = [{ name: '', children: root }];
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    const top = stack[stack.length - 1]!;
    if (m.index > last) top.children.push({ t: 'text', text: text.slice(last, m.index) });
    last = m.index + m[0].length;
    const [, sigil, name] = m as unknown as [string, string, string];
    if (sigil === '') top.children.push({ t: 'var', name });
    else if (sigil === '/') {
      if (stack.length === 1 || top.name !== name) throw new TemplateSyntaxError(source, `unexpected {{/${name}}} at offset ${m.index}`);
      stack.pop();
    } else {
      const node: Node = { t: 'section', name, inverted: sigil === '^', children: [] };
      top.children.push(node);
      stack.push({ name, children: node.children });
    }
  }
  if (stack.length > 1) throw new TemplateSyntaxError(source, `{{#${stack[stack.length - 1]!.name}}} is never closed`);
  if (last < text.length) root.push({ t: 'text', text: text.slice(last) });
  if (/\{\{/.test(text.replace(TAG, ''))) throw new TemplateSyntaxError(source, 'a {{ tag is malformed');
  return (view) => renderNodes(root, view, escape);
}

function present(v: TemplateView[string]): boolean {
  return v !== undefined && v !== null && v !== false && v !== '';
}

function renderNodes(nodes: Node[], view: TemplateView, escape: (s: string) => string): string {
  let out = '';
  for (const n of nodes) {
    if (n.t === 'text') out += n.text;
    else if (n.t === 'var') {
      const v = view[n.name];
      out += present(v) ? escape(String(v)) : '';
    } else if (present(view[n.name]) !== n.inverted) out += renderNodes(n.children, view, escape);
  }
  return out;
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export const noEscape = (s: string): string => s;
