import { describe, expect, it } from 'vitest';
import { table } from '../../../src/cli/table.js';

describe('CLI tables', () => {
  it('aligns columns under their headers and shows missing values as a dash', () => {
    expect(table(['ID', 'STATUS', 'NAME'], [['chan-7', 'suspended', null], ['c-1', 'active', 'Acme']])).toBe(
      ['ID      STATUS     NAME', 'chan-7  suspended  -', 'c-1     active     Acme'].join('\n'),
    );
  });

  it('a CR, an escape sequence or a bidi override in a name is printed escaped and cannot overwrite the STATUS column', () => {
    const out = table(['ID', 'STATUS', 'NAME'], [['u1', 'active', 'Evil\rSUSPENDED\u001b[2K\u202e'], ['u2\n', 'active', null]]);
    expect(out).not.toMatch(/[\r\u001b\u202e]/);
    expect(out.split('\n')).toEqual(['ID    STATUS  NAME', 'u1    active  Evil\\rSUSPENDED\\x1b[2K\\u202e', 'u2\\n  active  -']);
  });
});
