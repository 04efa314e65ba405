import { describe, expect, it } from 'vitest';
import { table } from '../../../src/cli/table.js';

describe('CLI tables', () => {
  it('aligns columns under their headers and shows missing values as a dash', () => {
    expect(table(['ID', 'STATUS', 'NAME'], [['chan-7', 'suspended', null], ['c-1', 'active', 'Acme']])).toBe(
      ['ID      STATUS     NAME', 'chan-7  suspended  -', 'c-1     active     Acme'].join('\n'),
    );
  });
});
