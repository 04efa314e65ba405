// The per-request counters that are kept in plain numbers (authorize answers, read-cache lookups) show their full
// counts whenever the registry is read, and keep adding up across reads.
import { describe, expect, it } from 'vitest';
import { Metrics } from '../../../src/metrics.js';

describe('batched per-request counters', () => {
  it('show every authorize answer and cache lookup when rendered, cumulatively across renders', async () => {
    const m = new Metrics({ defaultMetrics: false });
    expect(await m.render()).not.toContain('suspensiond_authorize_total{');
    for (let i = 0; i < 3; i++) m.authorized('deny');
    m.authorized('emergency');
    m.readCacheLookup('token', 'hit');
    m.readCacheLookup('token', 'hit');
    m.readCacheLookup('account', 'miss');
    let text = await m.render();
    expect(text).toContain('suspensiond_authorize_total{outcome="deny"} 3');
    expect(text).toContain('suspensiond_authorize_total{outcome="emergency"} 1');
    expect(text).not.toContain('outcome="allow"');
    expect(text).toContain('suspensiond_read_cache_lookups_total{cache="token",outcome="hit"} 2');
    expect(text).toContain('suspensiond_read_cache_lookups_total{cache="account",outcome="miss"} 1');
    m.authorized('deny');
    m.readCacheLookup('token', 'hit');
    text = await m.render();
    expect(text).toContain('suspensiond_authorize_total{outcome="deny"} 4');
    expect(text).toContain('suspensiond_read_cache_lookups_total{cache="token",outcome="hit"} 3');
    expect(text).toContain('suspensiond_read_cache_lookups_total{cache="account",outcome="miss"} 1');
  });
});
