// Builds grafana/dashboards/*.json from the panel list below, so the committed JSON and the queries the
// Prometheus integration test checks come from one place. Run: npx tsx scripts/build-dashboards.ts
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PanelSpec {
  title: string;
  type: 'timeseries' | 'stat' | 'table';
  unit?: string;
  targets: { expr: string; legend: string }[];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  panels: PanelSpec[];
}

export const dashboards: DashboardSpec[] = [
  {
    uid: 'suspensiond-overview',
    title: 'suspensiond / Overview',
    panels: [
      { title: 'Events per second by topic and outcome', type: 'timeseries', unit: 'ops',
        targets: [{ expr: 'sum by (topic, outcome) (rate(suspensiond_events_total[1m]))', legend: '{{topic}} {{outcome}}' }] },
      { title: 'Dead letters per second', type: 'timeseries', unit: 'ops',
        targets: [{ expr: 'sum by (topic) (rate(suspensiond_events_total{outcome="rejected"}[1m]))', legend: '{{topic}}' }] },
      { title: 'Suspensions and activations by reason and source (5m)', type: 'timeseries', unit: 'short',
        targets: [{ expr: 'sum by (reason, source, action) (increase(suspensiond_decisions_total[5m]))', legend: '{{action}} {{reason}} by {{source}}' }] },
      { title: 'Accounts suspended', type: 'stat', unit: 'short',
        targets: [{ expr: 'sum by (reason) (suspensiond_accounts_suspended)', legend: '{{reason}}' }] },
      { title: 'Decision latency p50 and p99', type: 'timeseries', unit: 's',
        targets: [
          { expr: 'histogram_quantile(0.5, sum by (le) (rate(suspensiond_decision_latency_seconds_bucket[5m])))', legend: 'p50' },
          { expr: 'histogram_quantile(0.99, sum by (le) (rate(suspensiond_decision_latency_seconds_bucket[5m])))', legend: 'p99' },
        ] },
      { title: 'Consumer lag by topic', type: 'timeseries', unit: 'short',
        targets: [{ expr: 'sum by (topic) (suspensiond_consumer_lag)', legend: '{{topic}}' }] },
      { title: 'Outbox backlog', type: 'timeseries', unit: 'short',
        targets: [{ expr: 'sum by (kind) (suspensiond_outbox_pending)', legend: '{{kind}}' }] },
      { title: 'Emails by template and outcome (5m)', type: 'timeseries', unit: 'short',
        targets: [{ expr: 'sum by (template, outcome) (increase(suspensiond_emails_total[5m]))', legend: '{{template}} {{outcome}}' }] },
      { title: 'Dunning: overdue accounts', type: 'stat', unit: 'short',
        targets: [{ expr: 'max(suspensiond_dunning_overdue_accounts)', legend: 'overdue' }] },
      { title: 'Dunning: mean sweep duration', type: 'stat', unit: 's',
        targets: [{ expr: 'sum(suspensiond_dunning_sweep_duration_seconds_sum) / sum(suspensiond_dunning_sweep_duration_seconds_count)', legend: 'mean' }] },
    ],
  },
  {
    uid: 'suspensiond-rules',
    title: 'suspensiond / Rules',
    panels: [
      { title: 'Rule hits per second by rule and level', type: 'timeseries', unit: 'ops',
        targets: [{ expr: 'sum by (rule, level) (rate(suspensiond_rule_hits_total[5m]))', legend: '{{rule}} {{level}}' }] },
      { title: 'Rule hits in the last 24h', type: 'table', unit: 'short',
        targets: [{ expr: 'sum by (rule, level) (increase(suspensiond_rule_hits_total[24h]))', legend: '{{rule}} {{level}}' }] },
      { title: 'Review queue: pending decisions', type: 'stat', unit: 'short',
        targets: [{ expr: 'sum(suspensiond_decisions_pending)', legend: 'pending' }] },
      { title: 'Review decisions opened (1h)', type: 'timeseries', unit: 'short',
        targets: [{ expr: 'sum by (reason, source) (increase(suspensiond_decisions_total{action="review"}[1h]))', legend: '{{reason}} {{source}}' }] },
      { title: 'Rule reloads by outcome (1h)', type: 'timeseries', unit: 'short',
        targets: [{ expr: 'sum by (outcome) (increase(suspensiond_rules_reloads_total[1h]))', legend: '{{outcome}}' }] },
    ],
  },
  {
    // "Never silent" (CONTRACT guarantees): each thing that can stop working, on one page, beside its alert in
    // prometheus/alerts.yml. Counters that only move on failure read 0, not "no data", while nothing failed.
    uid: 'suspensiond-health',
    title: 'suspensiond / Health',
    panels: [
      { title: 'Partitions stalled (lag, offset not moving)', type: 'stat', unit: 'short',
        targets: [{ expr: 'sum(suspensiond_partition_stalled)', legend: 'stalled' }] },
      { title: 'Status view behind /v1/authorize up', type: 'stat', unit: 'short',
        targets: [{ expr: 'min(suspensiond_status_view_up)', legend: 'up' }] },
      { title: 'Failures in the last hour', type: 'table', unit: 'short',
        targets: [
          { expr: 'sum(increase(suspensiond_rule_errors_total[1h])) or on() vector(0)', legend: 'rule errors' },
          { expr: 'sum(increase(suspensiond_dunning_sweep_failures_total[1h])) or on() vector(0)', legend: 'dunning sweep failures' },
          { expr: 'sum(increase(suspensiond_emails_total{outcome="failed"}[1h])) or on() vector(0)', legend: 'emails failed' },
          { expr: 'sum(increase(suspensiond_outbox_parked_total[1h])) or on() vector(0)', legend: 'outbox effects parked' },
          { expr: 'sum(increase(suspensiond_engine_load_failures_total[1h])) or on() vector(0)', legend: 'engine state loads failed' },
          { expr: 'sum(increase(suspensiond_authorize_setups_total{outcome="failed"}[1h])) or on() vector(0)', legend: 'authorize set-ups failed' },
        ] },
      { title: 'Ingest workers up, and restarts by reason (1h)', type: 'timeseries', unit: 'short',
        targets: [
          { expr: 'sum(suspensiond_ingest_workers_up)', legend: 'up' },
          { expr: 'sum by (reason) (increase(suspensiond_ingest_worker_restarts_total[1h]))', legend: 'restarts: {{reason}}' },
        ] },
      { title: 'Fraud engine memory against its budget', type: 'timeseries', unit: 'bytes',
        targets: [
          { expr: 'sum(suspensiond_engine_memory_bytes)', legend: 'in use' },
          { expr: 'sum(suspensiond_engine_memory_budget_bytes)', legend: 'budget' },
        ] },
      { title: 'Fraud engine spills and loads per second', type: 'timeseries', unit: 'ops',
        targets: [
          { expr: 'sum(rate(suspensiond_engine_spills_total[5m]))', legend: 'spills' },
          { expr: 'sum(rate(suspensiond_engine_loads_total[5m]))', legend: 'loads' },
        ] },
      { title: 'Event loop delay and GC time (no decision is faster than the longest stall)', type: 'timeseries', unit: 's',
        targets: [
          { expr: 'max(nodejs_eventloop_lag_p99_seconds{job="suspensiond"})', legend: 'event loop delay p99' },
          { expr: 'max(nodejs_eventloop_lag_max_seconds{job="suspensiond"})', legend: 'event loop delay max' },
          { expr: 'sum by (kind) (rate(nodejs_gc_duration_seconds_sum{job="suspensiond"}[5m]))', legend: 'GC s/s: {{kind}}' },
        ] },
      { title: 'Emails waiting for their account\'s contact', type: 'stat', unit: 'short',
        targets: [{ expr: 'sum(suspensiond_emails_waiting_for_contact)', legend: 'waiting' }] },
    ],
  },
];

function panelJson(p: PanelSpec, i: number) {
  const w = 12;
  const h = 8;
  return {
    id: i + 1,
    title: p.title,
    type: p.type,
    datasource: { type: 'prometheus', uid: '${datasource}' },
    gridPos: { x: (i % 2) * w, y: Math.floor(i / 2) * h, w, h },
    fieldConfig: { defaults: { unit: p.unit ?? 'short' }, overrides: [] },
    options: p.type === 'table' ? { showHeader: true } : { legend: { displayMode: 'list', placement: 'bottom' } },
    targets: p.targets.map((t, j) => ({
      refId: String.fromCharCode(65 + j),
      datasource: { type: 'prometheus', uid: '${datasource}' },
      expr: t.expr,
      legendFormat: t.legend,
      ...(p.type === 'table' ? { instant: true, format: 'table' } : {}),
    })),
  };
}

export function dashboardJson(d: DashboardSpec) {
  return {
    uid: d.uid,
    title: d.title,
    tags: ['suspensiond'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [
        { name: 'datasource', label: 'Prometheus', type: 'datasource', query: 'prometheus', current: {}, hide: 0 },
      ],
    },
    panels: d.panels.map(panelJson),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'grafana', 'dashboards');
  for (const d of dashboards) {
    const file = path.join(dir, `${d.uid.replace('suspensiond-', '')}.json`);
    writeFileSync(file, JSON.stringify(dashboardJson(d), null, 2) + '\n');
    console.log(`wrote ${file}`);
  }
}
