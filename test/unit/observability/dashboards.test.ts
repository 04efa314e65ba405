// The committed dashboard JSON is what scripts/build-dashboards.ts builds, and every panel uses the templated
// datasource and only metrics of the contract (or the documented additions).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dashboardJson, dashboards } from '../../../scripts/build-dashboards.js';

const root = path.resolve(import.meta.dirname, '../../..');
const known = /suspensiond_(events_total|rule_hits_total|decisions_total|accounts_suspended|decision_latency_seconds_bucket|consumer_lag|emails_total|outbox_pending|dunning_overdue_accounts|dunning_sweep_duration_seconds_(sum|count)|rules_reloads_total|decisions_pending)\b/g;
// The additions README lists under "Metrics, dashboards and alerts" (the health page), and Node's own.
const additions = /^(suspensiond_(partition_stalled|status_view_up|rule_errors_total|dunning_sweep_failures_total|outbox_parked_total|engine_(load_failures_total|loads_total|spills_total|memory_bytes|memory_budget_bytes)|authorize_setups_total|ingest_worker_restarts_total|ingest_workers_up|emails_waiting_for_contact)|nodejs_(eventloop_lag_(p99|max)_seconds|gc_duration_seconds_sum))$/;
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('grafana dashboards', () => {
  for (const d of dashboards) {
    it(`${d.uid} is committed as built`, () => {
      const file = path.join(root, 'grafana/dashboards', `${d.uid.replace('suspensiond-', '')}.json`);
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(dashboardJson(d));
    });

    it(`${d.uid} panels use the templated datasource and known metrics`, () => {
      const json = dashboardJson(d);
      expect(json.templating.list[0]).toMatchObject({ name: 'datasource', type: 'datasource' });
      for (const p of json.panels) {
        expect(p.datasource.uid).toBe('${datasource}');
        for (const t of p.targets) {
          const names = t.expr.match(/\b(suspensiond|nodejs)_[a-z0-9_]+/g) ?? [];
          expect(names.length).toBeGreaterThan(0);
          for (const n of names) {
            if (additions.test(n)) expect(readme, `${n} is documented in README`).toContain(n.replace(/_sum$/, ''));
            else expect(n).toMatch(known);
          }
        }
      }
    });
  }

  it('the overview covers events, dead letters, decisions, suspended, latency, lag, outbox, emails and dunning', () => {
    const exprs = dashboards[0]!.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of ['events_total', 'outcome="rejected"', 'decisions_total', 'accounts_suspended', 'decision_latency', 'consumer_lag', 'outbox_pending', 'emails_total', 'dunning_']) {
      expect(exprs).toContain(m);
    }
  });

  it('the health page shows each thing that can stop working: stalls, status view, failures, workers, memory, event loop', () => {
    const health = dashboards.find((d) => d.uid === 'suspensiond-health')!;
    const exprs = health.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const m of ['partition_stalled', 'status_view_up', 'rule_errors_total', 'dunning_sweep_failures_total', 'emails_total{outcome="failed"}', 'outbox_parked_total', 'engine_load_failures_total', 'ingest_worker_restarts_total', 'engine_memory_budget_bytes', 'eventloop_lag']) {
      expect(exprs).toContain(m);
    }
  });
});
