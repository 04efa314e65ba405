import { describe, expect, it } from 'vitest';
import { TemplateSyntaxError, compileTemplate, escapeHtml, noEscape } from '../../../src/effects/template-engine.js';

const text = (t: string) => compileTemplate(t, 'test.text', noEscape);
const html = (t: string) => compileTemplate(t, 'test.html', escapeHtml);

describe('email template language', () => {
  it('fills values and leaves missing ones empty', () => {
    expect(text('Dear {{ name }}, ref {{ref}}.')({ name: 'Jo' })).toBe('Dear Jo, ref .');
  });

  it('shows a block only when its value is present, and an inverted block only when it is not', () => {
    const t = text('{{#amount}}Owed: {{amount}}.{{/amount}}{{^amount}}Nothing owed.{{/amount}}');
    expect(t({ amount: 'GBP 5.00' })).toBe('Owed: GBP 5.00.');
    expect(t({ amount: '' })).toBe('Nothing owed.');
    expect(t({ amount: false })).toBe('Nothing owed.');
    expect(t({})).toBe('Nothing owed.');
  });

  it('nests blocks', () => {
    expect(text('{{#a}}A{{#b}}B{{/b}}{{/a}}')({ a: true, b: true })).toBe('AB');
    expect(text('{{#a}}A{{#b}}B{{/b}}{{/a}}')({ a: true })).toBe('A');
  });

  it('escapes values in HTML bodies but not the template itself', () => {
    expect(html('<p>{{name}}</p>')({ name: `<b>"Tom" & 'Jerry'</b>` })).toBe('<p>&lt;b&gt;&quot;Tom&quot; &amp; &#39;Jerry&#39;&lt;/b&gt;</p>');
  });

  it('rejects a block that is never closed, a stray closing tag and a malformed tag, naming the template', () => {
    expect(() => text('{{#a}} open')).toThrow(TemplateSyntaxError);
    expect(() => text('{{#a}} open')).toThrow(/test.text: \{\{#a\}\} is never closed/);
    expect(() => text('{{/a}}')).toThrow(/unexpected \{\{\/a\}\}/);
    expect(() => text('{{#a}}x{{/b}}')).toThrow(/unexpected/);
    expect(() => text('hello {{ bad tag }}')).toThrow(/malformed/);
  });
});
