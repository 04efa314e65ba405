// Rule files: the shipped defaults load; every bad file gives errors that name the file, the line and the field.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseRuleAmount as parseMoneyMicros } from '../../../src/rules/durations.js';
import { buildRuleSet, checkRules, loadRules, RulesError, watchRules } from '../../../src/rules/load-rules.js';
import { formatProblem, parseRuleFile } from '../../../src/rules/rule-file.js';

const good = `fraud:
  - id: burst
    measure: calls
    window: 10m
    suspend: 10
`;
const problemsOf = (text: string) => parseRuleFile('rules/fraud.yaml', text).problems.map(formatProblem);
const withRule = (lines: string) => `fraud:\n  - id: ok-rule\n    measure: calls\n    window: 1h\n    suspend: 5\n  - id: bad-rule\n${lines}`;

describe('rule files', () => {
  let dir: string | null = null;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = null;
  });

  it('the shipped rules load, with a dunning ladder as in the contract', async () => {
    const rules = await loadRules('rules');
    expect(rules.fraud.length).toBeGreaterThanOrEqual(12);
    expect(rules.version).toMatch(/^[0-9a-f]{12}$/);
    expect(rules.dunning).toEqual([expect.objectContaining({
      id: 'standard', minOverdueMicros: 5_000_000, graceDays: 0, countDisputed: false, reactivateOnPayment: true,
      appliesTo: { accountTypes: ['customer', 'channel'] },
      stages: [{ afterDays: 3, email: 'payment-reminder', suspend: false }, { afterDays: 10, email: 'final-notice', suspend: false }, { afterDays: 14, email: null, suspend: true }],
    })]);
  });

  it('maps durations, hours, days and money to engine units', () => {
    const parsed = parseRuleFile('f.yaml', `fraud:
  - id: night-spend
    match: { hours: "19:00-07:00", days: [sat, sun], calleePrefixes: ["+882"], countries: { none: [GB] } }
    measure: cost
    window: 24h
    warn: "12.5"
    suspend: "100.000001"
    cooldown: 30s
    releaseAfter: 3d
`);
    expect(parsed.problems).toEqual([]);
    expect(parsed.fraud[0]).toMatchObject({
      match: { direction: 'outbound', hours: { from: 1140, to: 420 }, days: [6, 0] }, windowMs: 86_400_000,
      warn: 12_500_000, suspend: 100_000_001, cooldownMs: 30_000, releaseAfterMs: 259_200_000, mode: 'enforce', origin: { file: 'f.yaml', line: 2 },
    });
    expect(parseMoneyMicros('0.1')).toBe(100_000);
    expect(parseMoneyMicros('1.0000001')).toBeNull();
  });

  it('a duplicate id names both lines', () => {
    expect(problemsOf(`${good}  - id: burst\n    measure: calls\n    window: 1h\n    suspend: 3\n`)).toEqual([
      'rules/fraud.yaml:6: fraud[1].id: duplicate id "burst" (first at line 2)',
    ]);
  });

  it('a duplicate id across files names the second file and line', () => {
    const { problems } = buildRuleSet([{ file: 'rules/a.yaml', text: good }, { file: 'rules/b.yaml', text: `# other\n${good}` }], 'now');
    expect(problems.map(formatProblem)).toEqual(['rules/b.yaml:3: fraud[0].id: duplicate id "burst" (first in rules/a.yaml:2)']);
  });

  it('an unknown measure names the line of the measure', () => {
    expect(problemsOf(withRule('    measure: callz\n    window: 1h\n    suspend: 5\n'))).toEqual([
      'rules/fraud.yaml:7: fraud[1].measure: unknown measure "callz"',
    ]);
  });

  it('a negative threshold is refused', () => {
    expect(problemsOf(withRule('    measure: calls\n    window: 1h\n    suspend: -1\n'))).toEqual([
      'rules/fraud.yaml:9: fraud[1].suspend: must be a number >= 0',
    ]);
  });

  it('a bad duration is refused, and so is a window on a windowless measure', () => {
    expect(problemsOf(withRule('    measure: calls\n    window: 10 minutes\n    suspend: 5\n    cooldown: 0s\n'))).toEqual([
      'rules/fraud.yaml:8: fraud[1].window: must be a duration like 30s, 10m, 1h, 24h or 3d',
      'rules/fraud.yaml:10: fraud[1].cooldown: must be a duration like 30s, 10m, 1h, 24h or 3d',
    ]);
    expect(problemsOf(withRule('    measure: call_cost\n    window: 1h\n    suspend: "5.00"\n'))).toEqual([
      'rules/fraud.yaml:8: fraud[1].window: measure call_cost takes no window',
    ]);
    expect(problemsOf(withRule('    measure: cost\n    suspend: "5.00"\n'))).toEqual([
      'rules/fraud.yaml:7: fraud[1].measure: measure cost needs a window',
    ]);
  });

  it('bad YAML names the line', () => {
    expect(problemsOf('fraud:\n  - id: x\n    measure: [calls\n    window: 1h\n')[0]).toMatch(/^rules\/fraud\.yaml:\d+: bad YAML: /);
    expect(problemsOf('fraud:\n  - id: x\n  id: y\n: :\n')[0]).toMatch(/^rules\/fraud\.yaml:[1-4]: bad YAML/);
  });

  it('an unknown field names its own line, nested fields included', () => {
    expect(problemsOf(withRule('    measure: calls\n    window: 1h\n    suspend: 5\n    suspnd: 6\n    match:\n      callee: ["+882"]\n'))).toEqual([
      'rules/fraud.yaml:10: fraud[1].suspnd: unknown field "suspnd"',
      'rules/fraud.yaml:12: fraud[1].match.callee: unknown field "callee"',
    ]);
    expect(problemsOf('fraud: []\nfrawd: []\n')).toEqual(['rules/fraud.yaml:2: frawd: unknown field "frawd"']);
  });

  it('checks ids, hours, days, prefixes and dunning stages', () => {
    expect(problemsOf(withRule('    measure: calls\n    window: 1h\n    suspend: 5\n    match: { hours: "25:00-07:00", days: [funday], calleePrefixes: ["882x"] }\n'))).toEqual([
      'rules/fraud.yaml:10: fraud[1].match.calleePrefixes[0]: must be digits with an optional leading +, such as "+882"',
      'rules/fraud.yaml:10: fraud[1].match.days[0]: unknown day "funday" (expected one of sun, mon, tue, wed, thu, fri, sat)',
      'rules/fraud.yaml:10: fraud[1].match.hours: must be "HH:MM-HH:MM" with different ends',
    ]);
    expect(problemsOf('dunning:\n  - id: Standard\n    stages:\n      - { after: 10d, email: a }\n      - { after: 3d }\n')).toEqual([
      'rules/fraud.yaml:2: dunning[0].id: must be lowercase letters, digits and dashes',
      'rules/fraud.yaml:5: dunning[0].stages[1]: a stage needs email or suspend: true',
      'rules/fraud.yaml:5: dunning[0].stages[1].after: stages must be in ascending order of after',
    ]);
  });

  it('loadRules throws a RulesError listing every problem; checkRules returns them', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rules-'));
    await writeFile(path.join(dir, 'a.yaml'), good);
    await writeFile(path.join(dir, 'b.yml'), withRule('    measure: callz\n    window: 1h\n    suspend: 5\n'));
    const err = await loadRules(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RulesError);
    expect((err as RulesError).problems).toEqual([{ file: path.join(dir, 'b.yml'), line: 7, field: 'fraud[1].measure', message: 'unknown measure "callz"' }]);
    expect(await checkRules(dir)).toEqual((err as RulesError).problems);
    expect(await checkRules(path.join(dir, 'missing'))).toEqual([expect.objectContaining({ line: 0, message: expect.stringContaining('cannot read') })]);
  });

  it('watchRules reports a good change and a bad change without losing the caller its rules', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'rules-'));
    await writeFile(path.join(dir, 'a.yaml'), good);
    const seen: string[] = [];
    const next = () => new Promise<void>((resolve) => setTimeout(resolve, 400));
    const stop = watchRules(dir, (c) => seen.push(c.ok ? `ok ${c.rules.fraud.length}` : `error ${c.error.problems[0]!.field}`), 50);
    try {
      await writeFile(path.join(dir, 'a.yaml'), `${good}  - id: two\n    measure: calls\n    window: 1h\n    suspend: 3\n`);
      await next();
      await writeFile(path.join(dir, 'a.yaml'), `${good}    bogus: 1\n`);
      await next();
    } finally {
      stop();
    }
    expect(seen).toEqual(['ok 2', 'error fraud[0].bogus']);
  });

  it('the rule files of before issue 12 stay valid and keep their state fingerprints (no baseline kind added)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { ruleFingerprint } = await import('../../../src/rules/engine-state.js');
    // bench/detection/baseline-rules/fraud.yaml is the shipped fraud.yaml as it was before issue 12
    const text = await readFile('bench/detection/baseline-rules/fraud.yaml', 'utf8');
    const parsed = parseRuleFile('fraud.yaml', text);
    expect(parsed.problems).toEqual([]);
    const spike = parsed.fraud.find((r) => r.id === 'spend-spike')!;
    expect(spike.baseline).toEqual({ factor: 10, minimum: 40_000_000 });
    expect(ruleFingerprint(spike)).toBe(JSON.stringify([{ direction: 'outbound', dispositions: ['answered'] }, 'cost', 3_600_000, 2, { factor: 10, minimum: 40_000_000 }]));
  });
});
