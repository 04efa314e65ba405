// Placing one call of the detection week: ring time, answer, duration, disposition and per-second cost, with its
// ground-truth label. Shared by honest.ts and attacks.ts. Pure.
import { costMicros } from './numbers.js';
import type { Rng } from './random.js';
import type { AttackType, Call, PlatformAccount } from './types.js';

export interface CallSpec {
  direction: 'outbound' | 'inbound';
  /** The other party: the callee of an outbound call, the caller of an inbound one. */
  remote: string;
  startMs: number;
  /** Talk time when answered, seconds. */
  talkSec: number;
  disposition: Call['disposition'];
  /** GBP per minute charged to the account (outbound only). */
  perMin: number;
  attack?: AttackType | null;
  /** GBP per minute lost by the operator, when it differs from the price (SIM-box bypass). */
  lossPerMin?: number;
  /** Ring time before the answer or the give-up, seconds. */
  ringSec?: number;
}

/** Collects the calls of one account, numbering them `<account>.<n>`. */
export class CallLog {
  readonly calls: Call[] = [];
  private n = 0;

  constructor(
    private readonly rng: Rng,
    readonly account: PlatformAccount,
  ) {}

  place(s: CallSpec): Call {
    const rng = this.rng;
    const own = this.account.numbers.length > 0 ? rng.pick(this.account.numbers) : '+441134960000';
    const ring = Math.round(s.ringSec ?? (s.disposition === 'answered' ? rng.int(4, 15) : s.disposition === 'no_answer' ? rng.logNormal(25, 0.3) : rng.int(1, 4)));
    const answered = s.disposition === 'answered';
    const talk = answered ? Math.max(1, Math.round(s.talkSec)) : 0;
    const answerMs = answered ? s.startMs + ring * 1000 : null;
    const endMs = (answerMs ?? s.startMs + ring * 1000) + talk * 1000;
    const cost = s.direction === 'outbound' && answered ? costMicros(s.perMin, talk) : 0;
    const attack = s.attack ?? null;
    const call: Call = {
      id: `${this.account.id}.${++this.n}`,
      accountId: this.account.id,
      direction: s.direction,
      caller: s.direction === 'outbound' ? own : s.remote,
      callee: s.direction === 'outbound' ? s.remote : own,
      startMs: Math.round(s.startMs),
      answerMs: answerMs === null ? null : Math.round(answerMs),
      endMs: Math.round(endMs),
      durationSec: talk,
      disposition: s.disposition,
      costMicros: cost,
      attack,
      lossMicros: attack === null ? 0 : s.lossPerMin !== undefined ? (answered ? costMicros(s.lossPerMin, talk) : 0) : cost,
    };
    this.calls.push(call);
    return call;
  }
}

/** An ordinary call's outcome [OFCOM-CMR]: answered with the given rate, else no answer, busy or failed. */
export function outcome(rng: Rng, answerRate: number): Call['disposition'] {
  const u = rng.next();
  if (u < answerRate) return 'answered';
  const rest = (u - answerRate) / (1 - answerRate);
  return rest < 0.7 ? 'no_answer' : rest < 0.92 ? 'busy' : 'failed';
}
