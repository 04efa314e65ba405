// The fused evaluator's one-pass callee keys are the engine's two hashes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { calleeKeys, keys } from '../../../bench/fused/callee-keys.js';
import { hash53, hashPrefix } from '../../../src/rules/hash.js';

describe('calleeKeys', () => {
  it('gives hash53 of the callee and hashPrefix of its range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.stringMatching(/^\+?[0-9]{0,17}$/), fc.string({ maxLength: 24 })), fc.integer({ min: 0, max: 12 }), (text, drop) => {
        calleeKeys(text, drop);
        expect(keys.calleeKey).toBe(hash53(text));
        expect(keys.rangeKey).toBe(hashPrefix(text, drop));
      }),
      { numRuns: 5_000 },
    );
  });
});
