/**
 * The distributed AlphaVantage limiter: every caller of every handler, in every execution environment, takes
 * each AlphaVantage request from one budget held in DynamoDB (docs/decisions/0020-alphavantage-limiter.md).
 *
 * - `day#YYYY-MM-DD` counts the day's requests; a conditional ADD refuses the one past the daily cap.
 * - `pace` holds the GCRA theoretical arrival time `tat`: the earliest instant the next request may start.
 *   A caller reserves the slot `max(tat, now)` and moves `tat` one emission interval on, in one conditional
 *   UpdateItem; when the budget is busy (`tat >= now`) the update is an increment, so concurrent callers each
 *   get their own slot without a read-modify-write race. A caller then waits in place until its slot.
 * - A slot that would start after the invocation's deadline is not taken: the caller gets a DeferredError and
 *   its record is handed back unprocessed.
 * - On budgets slower than a call a second (the free plan), a caller that reaches its slot late (a loaded
 *   machine, a slow round trip) does not go at once: the next slot may belong to another caller, so both would
 *   land within AlphaVantage's per-second burst window. It takes a new slot, no earlier than it can be ready
 *   (docs/decisions/0022-late-caller-takes-a-new-slot.md).
 * Cost: two UpdateItems (2 WCU) per request; a third when the budget switches between idle and busy under it.
 * The pace slot is reserved before the day's unit, so a unit is never given back (see `acquire`).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { currentDeadline } from '../deadline.ts';
import {
  BURST_WINDOW_MS,
  emissionIntervalMs,
  LATE_START_TOLERANCE_MS,
  nextSlot,
  untilUtcMidnight,
  utcDay,
} from '../domain/quota.ts';
import { DeferredError, TransientError } from '../errors.ts';

/** What the budget looks like today (for "collect what fits" and the operator's status). */
export interface QuotaUsage {
  /** The UTC day counted. */
  day: string;
  usedToday: number;
  /** `null` when the plan has no daily cap. */
  remainingToday: number | null;
  requestsPerMinute: number;
  requestsPerDay: number | null;
  /** AlphaVantage's own daily-limit answer, when it marked the day spent (markDayExhausted). */
  dailyLimitAnswer?: string;
}

/** What the AlphaVantage client needs from a limiter (a port: tests may pass their own). */
export interface CallLimiter {
  /** Waits until this caller's slot; throws DeferredError when no slot fits before the deadline. */
  acquire(what: string): Promise<void>;
  /**
   * AlphaVantage said the key's daily quota is gone: nobody takes a slot again before UTC midnight. The answer
   * is kept with the day, so a run can say why its day ended.
   */
  markDayExhausted(answer: string): Promise<void>;
}

export interface QuotaLimiterOptions {
  doc: DynamoDBDocumentClient;
  table: string;
  requestsPerMinute: number;
  /** `null` = no daily cap (premium plans). */
  requestsPerDay: number | null;
  /** Longest wait for a slot outside an invocation (no deadline known). @default 60000 */
  defaultMaxWaitMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** The instant a slot must start by (epoch ms). @default the current invocation's deadline */
  deadline?: () => number | undefined;
  /** Called when a call is refused because the day's budget is spent (the AlphaVantageBudgetExhausted metric). */
  onDayExhausted?: (day: string) => void;
}

const PACE_KEY = 'pace';
const dayKey = (day: string) => `day#${day}`;
/** Day items outlive their day by two days, so `status` can still show yesterday. */
const DAY_ITEM_TTL_SECONDS = 3 * 24 * 3600;
/** Longest AlphaVantage answer kept with the day (its limit bodies are about 250 characters). */
const MAX_ANSWER_CHARS = 500;
/** Enough for any realistic contention: each failed attempt returns the latest `tat` to retry with. */
const MAX_SLOT_ATTEMPTS = 10;
/** New slots for a caller that keeps arriving late; each one starts no earlier than its last lateness allows. */
const MAX_LATE_RETAKES = 3;
/** The longest lead an environment keeps between reserving a slot and its start. */
const MAX_LEAD_MS = 5_000;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DynamoDbQuotaLimiter implements CallLimiter {
  readonly intervalMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly deadline: () => number | undefined;
  /** The last `tat` this environment saw: picks the right conditional update first. */
  private knownTat: number | undefined;
  /**
   * How long this environment needed from reserving a slot to reaching it, learnt from its last late start:
   * its slots start no earlier than this after the reservation, so an idle budget's slot is not already past.
   */
  private leadMs = 0;

  constructor(private readonly options: QuotaLimiterOptions) {
    this.intervalMs = emissionIntervalMs(options.requestsPerMinute);
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? defaultSleep;
    this.deadline = options.deadline ?? currentDeadline;
  }

  async acquire(what: string): Promise<void> {
    const started = this.now();
    const latest = this.deadline() ?? started + (this.options.defaultMaxWaitMs ?? 60_000);
    // The slot first, then the day's unit: a unit is only ever taken by a conditional increment and never given
    // back, so no retried or lost update can let the day's count fall below the calls made. A caller refused by
    // the cap leaves its slot unused (the day is over for everyone then).
    let slotMs = await this.takeSlot(latest, what);
    await this.takeFromDay(utcDay(started), started, what);
    for (let retake = 0; ; retake += 1) {
      const wait = slotMs - this.now();
      if (wait > 0) await this.sleep(wait);
      const late = this.now() - slotMs;
      if (late <= LATE_START_TOLERANCE_MS || this.intervalMs <= BURST_WINDOW_MS) return;
      // The day's unit stays taken (it is this call's); only the pace slot is taken again.
      if (retake >= MAX_LATE_RETAKES) {
        throw new TransientError(
          'alphavantage-budget-late',
          `${what}: reached its AlphaVantage slot ${Math.round(late)} ms late ${retake + 1} times`,
        );
      }
      this.leadMs = Math.min(MAX_LEAD_MS, Math.ceil(late));
      slotMs = await this.takeSlot(latest, what);
    }
  }

  async markDayExhausted(answer: string): Promise<void> {
    const now = this.now();
    await this.options.doc.send(
      new UpdateCommand({
        TableName: this.options.table,
        Key: { pk: dayKey(utcDay(now)) },
        UpdateExpression: 'SET exhausted = :true, dailyLimitAnswer = :answer, expiresAt = :expiresAt',
        ExpressionAttributeValues: {
          ':true': true,
          ':answer': answer.slice(0, MAX_ANSWER_CHARS),
          ':expiresAt': this.dayExpiry(now),
        },
      }),
    );
  }

  async usage(): Promise<QuotaUsage> {
    const day = utcDay(this.now());
    const { Item } = await this.options.doc.send(
      new GetCommand({ TableName: this.options.table, Key: { pk: dayKey(day) }, ConsistentRead: true }),
    );
    const usedToday = Number(Item?.calls ?? 0);
    const cap = this.options.requestsPerDay;
    return {
      day,
      usedToday,
      // A day AlphaVantage itself ended is spent whatever the configured plan says.
      remainingToday: Item?.exhausted ? 0 : cap === null ? null : Math.max(0, cap - usedToday),
      requestsPerMinute: this.options.requestsPerMinute,
      requestsPerDay: cap,
      ...(typeof Item?.dailyLimitAnswer === 'string' ? { dailyLimitAnswer: Item.dailyLimitAnswer } : {}),
    };
  }

  private dayExpiry(now: number): number {
    return Math.floor(now / 1000) + DAY_ITEM_TTL_SECONDS;
  }

  private async takeFromDay(day: string, now: number, what: string): Promise<void> {
    const cap = this.options.requestsPerDay;
    try {
      await this.options.doc.send(
        new UpdateCommand({
          TableName: this.options.table,
          Key: { pk: dayKey(day) },
          UpdateExpression: 'ADD calls :one SET expiresAt = :expiresAt',
          ConditionExpression:
            cap === null
              ? 'attribute_not_exists(exhausted)'
              : 'attribute_not_exists(exhausted) AND (attribute_not_exists(calls) OR calls < :cap)',
          ExpressionAttributeValues: {
            ':one': 1,
            ':expiresAt': this.dayExpiry(now),
            ...(cap === null ? {} : { ':cap': cap }),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      this.options.onDayExhausted?.(day);
      throw new DeferredError(
        'alphavantage-budget',
        `${what}: the AlphaVantage budget for ${day} is used up${cap === null ? '' : ` (${cap} requests)`}`,
        untilUtcMidnight(now),
      );
    }
  }

  /** Reserves the next free slot that starts no later than `latest`; returns its start (epoch ms). */
  private async takeSlot(latest: number, what: string): Promise<number> {
    const interval = this.intervalMs;
    let tat = this.knownTat;
    for (let attempt = 0; attempt < MAX_SLOT_ATTEMPTS; attempt += 1) {
      const now = this.now();
      const earliest = now + this.leadMs;
      const step = nextSlot(tat, earliest, interval, latest);
      if (step === undefined) {
        const nextFree = Math.max(tat ?? now, earliest) - now;
        throw new DeferredError(
          'alphavantage-budget',
          `${what}: no AlphaVantage slot before the invocation's deadline (next free in ${Math.ceil(nextFree / 1000)} s)`,
          nextFree,
        );
      }
      const busy = tat !== undefined && tat >= earliest;
      try {
        const result = await this.options.doc.send(
          busy
            ? // Busy: an increment, so concurrent callers never overwrite each other's slot.
              new UpdateCommand({
                TableName: this.options.table,
                Key: { pk: PACE_KEY },
                UpdateExpression: 'SET tat = tat + :interval',
                ConditionExpression: 'tat >= :earliest AND tat <= :latest',
                ExpressionAttributeValues: {
                  ':interval': interval,
                  ':earliest': earliest,
                  ':latest': latest,
                },
                ReturnValues: 'UPDATED_NEW',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              })
            : new UpdateCommand({
                TableName: this.options.table,
                Key: { pk: PACE_KEY },
                UpdateExpression: 'SET tat = :tat',
                ConditionExpression: 'attribute_not_exists(tat) OR tat < :earliest',
                ExpressionAttributeValues: { ':tat': earliest + interval, ':earliest': earliest },
                ReturnValues: 'UPDATED_NEW',
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              }),
        );
        const newTat = Number(result.Attributes?.tat);
        this.knownTat = newTat;
        return newTat - interval;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // The item moved under us: its current value comes back with the failure, no extra read.
        const current = error.Item?.tat;
        tat = current === undefined ? undefined : Number(current.N ?? current);
        this.knownTat = tat;
      }
    }
    throw new TransientError(
      'alphavantage-budget-contention',
      `${what}: no AlphaVantage slot after ${MAX_SLOT_ATTEMPTS} attempts`,
    );
  }
}
