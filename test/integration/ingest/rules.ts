// Rule folders written by the ingestion tests: a counting rule (monitor), an enforce IRSF rule and a dunning ladder.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COUNTING_RULES_YAML } from './counting-engine.js';

export const DECIDING_RULES_YAML = `fraud:
  - id: irsf-test
    description: calls to +882/+883 shared international ranges
    mode: enforce
    match: { calleePrefixes: ["+882", "+883"] }
    measure: calls
    window: 10m
    warn: 5
    suspend: 10
    cooldown: 1h
dunning:
  - id: standard
    minOverdue: "5.00"
    stages:
      - { after: 3d, email: payment-reminder }
      - { after: 14d, suspend: true }
    reactivateOnPayment: true
`;

export function rulesDir(...files: string[]): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ingest-rules-'));
  files.forEach((text, i) => writeFileSync(path.join(dir, `r${i}.yaml`), text));
  return dir;
}

export const countingAndDeciding = () => rulesDir(COUNTING_RULES_YAML, DECIDING_RULES_YAML);
