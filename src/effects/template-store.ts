// Loads the email templates: `<name>.subject`, `<name>.text` and `<name>.html` from the built-in templates/
// directory, where a file of the same name in TEMPLATES_DIR replaces the built-in one (so an operator may override
// just a subject). Loaded once at start; every template must have all three parts, and a bad one fails the start.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileTemplate, escapeHtml, noEscape, type CompiledTemplate, type TemplateView } from './template-engine.js';

export const PARTS = ['subject', 'text', 'html'] as const;
export type TemplatePart = (typeof PARTS)[number];

/** Used for a template name with no files: an unknown dunning stage gets a generic overdue notice. */
export const FALLBACK_TEMPLATE = 'dunning-generic';

export interface CompiledEmailTemplate {
  name: string;
  subject: CompiledTemplate;
  text: CompiledTemplate;
  html: CompiledTemplate;
  /** Where each part came from, for logs and `rules check`-style reports. */
  files: Record<TemplatePart, string>;
}

export interface TemplateSet {
  has(name: string): boolean;
  get(name: string): CompiledEmailTemplate;
  names(): string[];
}

/** templates/ at the repository (or package) root, found from this module's location. */
export function builtinTemplatesDir(): string {
  return fileURLToPath(new URL('../../templates/', import.meta.url));
}

export function loadTemplates(opts: { builtinDir?: string; overrideDir?: string | undefined } = {}): TemplateSet {
  const files = new Map<string, string>();
  const builtinDir = opts.builtinDir ?? builtinTemplatesDir();
  for (const dir of [builtinDir, opts.overrideDir]) {
    if (!dir) continue;
    if (!existsSync(dir)) throw new Error(`templates directory ${dir} does not exist`);
    for (const f of readdirSync(dir)) {
      if (PARTS.some((p) => f.endsWith(`.${p}`))) files.set(f, path.join(dir, f));
    }
  }
  const names = new Set([...files.keys()].map((f) => f.slice(0, f.lastIndexOf('.'))));
  const compiled = new Map<string, CompiledEmailTemplate>();
  for (const name of names) {
    const where = {} as Record<TemplatePart, string>;
    for (const part of PARTS) {
      const file = files.get(`${name}.${part}`);
      if (!file) throw new Error(`email template "${name}" has no ${name}.${part} (looked in ${[builtinDir, opts.overrideDir].filter(Boolean).join(', ')})`);
      where[part] = file;
    }
    const read = (p: TemplatePart) => readFileSync(where[p], 'utf8');
    const subject = compileTemplate(read('subject').trim(), where.subject, noEscape);
    compiled.set(name, {
      name,
      subject: (view: TemplateView) => subject(view).replace(/\s*[\r\n]+\s*/g, ' ').trim(),
      text: compileTemplate(read('text'), where.text, noEscape),
      html: compileTemplate(read('html'), where.html, escapeHtml),
      files: where,
    });
  }
  if (!compiled.has(FALLBACK_TEMPLATE)) throw new Error(`email template "${FALLBACK_TEMPLATE}" (the fallback) is missing`);
  return {
    has: (name) => compiled.has(name),
    get: (name) => {
      const t = compiled.get(name);
      if (!t) throw new Error(`no email template "${name}"`);
      return t;
    },
    names: () => [...compiled.keys()].sort(),
  };
}
