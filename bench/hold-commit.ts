// A fraud hold's commit transaction, alone (issue 17, branch `commitrt`): the ingest commit step (commitBatch, the
// real call site) for a batch whose CDRs crossed HOLDS suspend levels on new accounts, against real PostgreSQL,
// with the batch's fenced checkpoint. It counts the round trips of each transaction (BEGIN and COMMIT included) and
// times each commit (p50 / p99 / mean). BASE (a directory holding another build's src/, e.g. an archive of main)
// runs the same transactions through that build's code, alternating with this one, ROUNDS times, each in a
// database of its own. BUSY_MS > 0 keeps the event loop busy as a loaded consumer does: a timer blocks it for
// BUSY_MS every 5 ms, so each round trip waits its turn.
// Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/test BASE=/tmp/base-main npx tsx bench/hold-commit.ts
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { freshDb } from './fresh-db.js';

const N = Number(process.env.N ?? 200);
const HOLDS = (process.env.HOLDS ?? '1,3').split(',').map(Number);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const BUSY = (process.env.BUSY_MS ?? '0,2').split(',').map(Number);
const BASE = process.env.BASE ?? null;
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const TOPIC = 'cdrs';
/** DETAIL=1: also the mean time of each kind of statement (by its first 60 characters), per build. */
const DETAIL = process.env.DETAIL === '1';
const detail = new Map<string, { n: number; ms: number }>();

type Any = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- two builds' modules, loaded by path

interface Build {
  name: string;
  url: string;
  drop: () => Promise<void>;
  db: Any;
  mods: { commit: Any; effects: Any; checkpoints: Any; transitions: Any; results: Any };
  effectsOffset: number;
  partition: number;
}

async function loadBuild(name: string, root: string, index: number): Promise<Build> {
  const imp = (p: string) => import(pathToFileURL(`${root}/src/${p}`).href);
  const [commit, effects, checkpoints, transitions, results, pgdb] = await Promise.all([
    imp('ingest/commit-step.ts'), imp('ingest/effects.ts'), imp('ingest/checkpoint-repo.ts'),
    imp('store/transitions.ts'), imp('ingest/results.ts'), imp('store/pg-database.ts'),
  ]);
  const fresh = await freshDb(serverUrl, `bench_hold_commit_${index}_${process.pid}`);
  const db = pgdb.createPgDatabase(fresh.url, { max: 4 });
  await db.transaction((tx: Any) => checkpoints.saveCheckpoint(tx, TOPIC, 0, null, null, 0, null, 0));
  return { name, url: fresh.url, drop: fresh.drop, db, mods: { commit, effects, checkpoints, transitions, results }, effectsOffset: 0, partition: 0 };
}

/** The build's database with each transaction's statements counted (BEGIN and COMMIT included). */
function counted(db: Any, count: { n: number }): Any {
  return {
    ...db,
    kind: db.kind,
    query: db.query.bind(db),
    transaction: (fn: Any) => db.transaction((tx: Any) => {
      count.n += 2;
      return fn({
        query: async (text: string, params?: unknown[]) => {
          count.n += 1;
          if (!DETAIL) return tx.query(text, params);
          const t0 = performance.now();
          try { return await tx.query(text, params); } finally {
            const key = text.trim().replace(/\s+/g, ' ').slice(0, 60);
            const d = detail.get(key) ?? { n: 0, ms: 0 };
            d.n += 1; d.ms += performance.now() - t0; detail.set(key, d);
          }
        },
      });
    }),
  };
}

function hit(accountId: string, at: number) {
  return {
    accountId, ruleId: 'irsf-international-networks', level: 'suspend', mode: 'enforce', reason: 'fraud', measure: 'count',
    value: 3, threshold: 3, window: '10m', at, sampleCdrIds: ['c-1', 'c-2', 'c-3'], releaseAfterMs: null,
  };
}

let seq = 0;
async function oneCommit(b: Build, holds: number, count: { n: number }, log: Any): Promise<number> {
  const now = Date.now();
  const records = Array.from({ length: holds }, (_, i) => ({ offset: b.effectsOffset + i, key: null, value: null, arrivedAtMs: now }));
  const results = Array.from({ length: holds }, () => {
    const id = `acct-${process.pid}-${(seq += 1)}`;
    return b.mods.results.ok({ kind: 'cdrs', hits: [{ hit: hit(id, now), arrivedAtMs: now }] });
  });
  const expected = b.effectsOffset;
  const next = expected + holds;
  const deps = { db: counted(b.db, count), effects: b.mods.effects.createIngestEffects({ defaultTimezone: 'UTC' }), dlq: null, enforce: true, log };
  const t0 = performance.now();
  const committed = await b.mods.commit.commitBatch(
    {
      source: { kind: 'cdrs', topicName: TOPIC, partition: b.partition },
      records,
      results,
      ctx: { now: new Date(now).toISOString(), newId: b.mods.transitions.newId },
      dunning: [],
      checkpoint: async (tx: Any) => {
        if (!(await b.mods.checkpoints.saveEffectsOffset(tx, TOPIC, b.partition, expected, next))) throw new Error('checkpoint fenced');
      },
    },
    deps,
  );
  const ms = performance.now() - t0;
  if (committed.hits.filter((h: Any) => h.action === 'suspend').length !== holds) throw new Error(`${b.name}: expected ${holds} holds`);
  b.effectsOffset = next;
  return ms;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, c) => a - c)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const here = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
  const builds = [await loadBuild('this branch', here, 0)];
  if (BASE) builds.unshift(await loadBuild(`base (${BASE})`, BASE, 1));
  const log = { warn: () => undefined, info: () => undefined, error: () => undefined, debug: () => undefined, child: () => log };
  console.log(`hold-commit: N=${N} transactions per build per round, HOLDS=${HOLDS.join(',')}, ROUNDS=${ROUNDS}, BUSY_MS=${BUSY.join(',')}, load ${load()}`);
  console.log('| build | holds/batch | busy ms per 5 ms | round | statements/tx | p50 ms | p99 ms | mean ms | load |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const busy of BUSY) {
    let timer: NodeJS.Timeout | null = null;
    if (busy > 0) timer = setInterval(() => { const end = performance.now() + busy; while (performance.now() < end); }, 5);
    for (const holds of HOLDS) {
      for (let round = 1; round <= ROUNDS; round++) {
        for (const b of builds) {
          const count = { n: 0 };
          for (let i = 0; i < 10; i++) await oneCommit(b, holds, { n: 0 }, log); // warm-up
          const times: number[] = [];
          for (let i = 0; i < N; i++) times.push(await oneCommit(b, holds, count, log));
          const mean = times.reduce((a, c) => a + c, 0) / times.length;
          if (DETAIL) {
            for (const [k, d] of detail) console.log(`    ${(d.ms / d.n).toFixed(3)} ms x ${d.n}  ${k}`);
            detail.clear();
          }
          console.log(`| ${b.name} | ${holds} | ${busy} | ${round} | ${(count.n / N).toFixed(1)} | ${pct(times, 50).toFixed(2)} | ${pct(times, 99).toFixed(2)} | ${mean.toFixed(2)} | ${load()} |`);
        }
      }
    }
    if (timer) clearInterval(timer);
  }
  for (const b of builds) {
    await b.db.close();
    await b.drop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
