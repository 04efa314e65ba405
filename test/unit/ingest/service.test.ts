import { describe, expect, it } from 'vitest';
import { READY, readinessOf, service } from '../../../src/service.js';

describe('services', () => {
  it('roll up to ready when every service is ready', () => {
    expect(readinessOf([service('a', () => undefined, () => undefined), service('b', () => undefined, () => undefined, () => READY)])).toEqual({ ready: true, reasons: [] });
  });

  it('list every reason of every service that is not ready, in order', () => {
    const down = service('db', () => undefined, () => undefined, () => ({ ready: false, reasons: ['database unavailable: ECONNREFUSED'] }));
    const stalled = service('kafka', () => undefined, () => undefined, () => ({ ready: false, reasons: ['partition cdrs:0 stalled', 'partition cdrs:1 stalled'] }));
    expect(readinessOf([down, service('ok', () => undefined, () => undefined), stalled])).toEqual({
      ready: false,
      reasons: ['database unavailable: ECONNREFUSED', 'partition cdrs:0 stalled', 'partition cdrs:1 stalled'],
    });
  });
});
