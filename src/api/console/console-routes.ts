// Read endpoints the console needs beyond CONTRACT §4 (additions, same authority code): GET /v1/me (who the token
// is), GET /v1/accounts/{id}/exemptions (those in force), GET /v1/overview (the overview page's figures, scoped to the actor's subtree) and GET /v1/account-tree
// (GET /v1/accounts' filters, each account annotated with its own hold reasons, the suspended ancestors it inherits
// from and its child count; without filters, the actor's roots). Never changes anything.
import { z } from 'zod';
import { ruleIdOf, sourceKind } from '../../domain/actors.js';
import { accountSummary, visibleAccount } from '../account-view.js';
import { decodeCursor, paginate } from '../cursor.js';
import type { ApiDeps } from '../deps.js';
import { defineRoute, type RouteDef } from '../route.js';
import { listExemptions } from '../../store/exemptions-repo.js';
import { accountOut, exemptionOut, idParams, listAccountsQuery } from '../schemas.js';
import type { TokenActor } from '../tokens.js';
import { operatorCounts, overviewCounts, treeNotes } from './overview-queries.js';
import { listAccounts } from '../queries/account-queries.js';
import { withoutJit } from './without-jit.js';

const meOut = z.object({ tokenId: z.string(), role: z.string(), accountId: z.string().nullable(), label: z.string().nullable() });

const treeItem = accountOut.extend({ holdReasons: z.array(z.string()), inheritedFrom: z.array(z.string()), children: z.number() });

const overviewOut = z.object({
  generatedAt: z.string(),
  suspendedByReason: z.record(z.string(), z.number()),
  suspendedAccounts: z.number(),
  decisions24h: z.object({
    bySource: z.record(z.string(), z.number()),
    byRule: z.array(z.object({ rule: z.string(), count: z.number() })),
    byAction: z.record(z.string(), z.number()),
  }),
  suspensionsPerHour: z.array(z.object({ hour: z.string(), count: z.number() })),
  hitsPerRule: z.array(z.object({ rule: z.string(), warn: z.number(), suspend: z.number() })),
  reviewQueue: z.number(),
  operator: z
    .object({
      deadLetters: z.number(),
      deadLetters24h: z.number(),
      lastDunningSweep: z.string().nullable(),
      consumerLag: z.array(z.object({ topic: z.string(), partition: z.string(), lag: z.number() })),
      rules: z.object({
        version: z.string().nullable(),
        loadedAt: z.string().nullable(),
        reloads: z.record(z.string(), z.number()),
        lastReload: z.object({ outcome: z.enum(['success', 'failure']), at: z.string() }).nullable(),
      }),
    })
    .nullable(),
});

const ACTION: Record<string, string> = {
  hold_placed: 'suspend',
  decision_approved: 'suspend',
  hold_lifted: 'activate',
  decision_opened: 'review',
  decision_rejected: 'reject',
};

const scopeRoot = (actor: TokenActor): string | null => (actor.role === 'operator' ? null : actor.accountId);

/** Label values of one metric in the daemon's own registry (consumer lag, rule reloads), read without prom-client. */
async function metricValues(deps: ApiDeps, name: string): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  const metric = deps.metrics.registry.getSingleMetric(name);
  if (!metric) return [];
  const got = await metric.get();
  return got.values.map((v) => ({ labels: v.labels as Record<string, string | number>, value: v.value }));
}

export function consoleApiRoutes(deps: ApiDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/v1/me',
      summary: "The presented token's role and account (the console's sign-in)",
      tag: 'console',
      access: 'authenticated',
      response: meOut,
      handler: async ({ actor }) => ({ tokenId: actor!.tokenId, role: actor!.role, accountId: actor!.accountId, label: actor!.label }),
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/accounts/:id/exemptions',
      summary: "The account's exemptions still in force, newest first",
      tag: 'console',
      access: 'authenticated',
      params: idParams,
      response: z.object({ items: z.array(exemptionOut) }),
      handler: async ({ actor, params }) => {
        await visibleAccount(deps.db, actor!, params.id);
        return { items: await listExemptions(deps.db, params.id, { activeAt: deps.clock.now().toISOString() }) };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/overview',
      summary: "Counts for the console's overview, within the actor's scope: suspended accounts, the last 24 h of decisions and hits",
      tag: 'console',
      access: ['operator', 'reseller', 'channel', 'customer'],
      response: overviewOut,
      handler: async ({ actor }) => {
        const now = deps.clock.now();
        const c = await withoutJit(deps.db, (tx) => overviewCounts(tx, scopeRoot(actor!), now));
        const bySource: Record<string, number> = { rule: 0, dunning: 0, operator: 0, expiry: 0 };
        const byAction: Record<string, number> = {};
        const byRule = new Map<string, number>();
        const hits = new Map<string, { warn: number; suspend: number }>();
        for (const r of deps.rules()?.fraud ?? []) hits.set(r.id, { warn: 0, suspend: 0 });
        for (const d of c.decisions) {
          const rule = ruleIdOf(d.actor);
          if (rule !== null && (d.kind === 'alert' || d.kind === 'hold_placed' || d.kind === 'decision_opened')) {
            const h = hits.get(rule) ?? { warn: 0, suspend: 0 };
            if (d.kind === 'alert') h.warn += d.count;
            else h.suspend += d.count;
            hits.set(rule, h);
          }
          const action = ACTION[d.kind];
          if (!action) continue;
          byAction[action] = (byAction[action] ?? 0) + d.count;
          const kind = d.actor === 'expiry' ? 'expiry' : sourceKind(d.actor);
          if (kind) bySource[kind] = (bySource[kind] ?? 0) + d.count;
          if (rule !== null) byRule.set(rule, (byRule.get(rule) ?? 0) + d.count);
        }
        let operator = null;
        if (actor!.role === 'operator') {
          const o = await operatorCounts(deps.db, now);
          const lag = await metricValues(deps, 'suspensiond_consumer_lag');
          const reloads = await metricValues(deps, 'suspensiond_rules_reloads_total');
          const rules = deps.rules();
          operator = {
            deadLetters: o.deadLetters,
            deadLetters24h: o.deadLetters24h,
            lastDunningSweep: o.lastSweep,
            consumerLag: lag.map((v) => ({ topic: String(v.labels.topic), partition: String(v.labels.partition), lag: v.value })),
            rules: {
              version: rules?.version ?? null,
              loadedAt: rules?.loadedAt ?? null,
              reloads: Object.fromEntries(reloads.map((v) => [String(v.labels.outcome), v.value])),
              lastReload: deps.metrics.lastRulesReload,
            },
          };
        }
        return {
          generatedAt: now.toISOString(),
          suspendedByReason: { fraud: 0, non_payment: 0, ...c.suspendedByReason },
          suspendedAccounts: c.suspendedOwn,
          decisions24h: { bySource, byRule: [...byRule].map(([rule, count]) => ({ rule, count })), byAction },
          suspensionsPerHour: c.perHour,
          hitsPerRule: [...hits].map(([rule, h]) => ({ rule, ...h })).sort((a, b) => b.warn + b.suspend - (a.warn + a.suspend) || a.rule.localeCompare(b.rule)),
          reviewQueue: c.reviewQueue,
          operator,
        };
      },
    }),
    defineRoute({
      method: 'GET',
      url: '/v1/account-tree',
      summary: "GET /v1/accounts with each account's own hold reasons, inheritedFrom and child count; no filter: the actor's roots",
      tag: 'console',
      access: ['operator', 'reseller', 'channel', 'customer'],
      query: listAccountsQuery,
      response: z.object({ items: z.array(treeItem), nextCursor: z.string().nullable() }),
      handler: async ({ actor, query }) => {
        const filtered = query.type !== undefined || query.status !== undefined || query.parent !== undefined || query.q !== undefined;
        let page: { items: Array<ReturnType<typeof accountSummary>>; nextCursor: string | null };
        if (!filtered && actor!.role !== 'operator') {
          const self = await visibleAccount(deps.db, actor!, actor!.accountId!);
          const suspended = self.holds.length > 0 || self.inheritedFrom.length > 0;
          page = { items: [accountSummary(self.account, suspended)], nextCursor: null };
        } else {
          const after = decodeCursor(query.cursor, 1)?.[0];
          const rows = await withoutJit(deps.db, (tx) => listAccounts(tx, {
            scopeRoot: scopeRoot(actor!),
            type: filtered ? query.type : 'reseller',
            status: query.status,
            parent: query.parent,
            q: query.q,
            after,
            limit: query.limit + 1,
          }));
          const p = paginate(rows, query.limit, (r) => [r.account.id]);
          page = { items: p.items.map((r) => accountSummary(r.account, r.suspended)), nextCursor: p.nextCursor };
        }
        // Effective status from the page's own rows: held, or under a held ancestor (as GET /v1/accounts computes it).
        const notes = await withoutJit(deps.db, (tx) => treeNotes(tx, page.items.map((i) => i.id)));
        return {
          items: page.items.map((i) => {
            const n = notes.get(i.id)!;
            const suspended = n.holdReasons.length > 0 || n.inheritedFrom.length > 0;
            return { ...i, status: suspended ? ('suspended' as const) : ('active' as const), ...n };
          }),
          nextCursor: page.nextCursor,
        };
      },
    }),
  ];
}
