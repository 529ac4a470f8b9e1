/**
 * The typed AlphaVantage client the handlers use: transport (keep-alive pool, timeouts, retries) + the pure
 * parsers, behind the shared budget. It returns data or throws, so an AlphaVantage error body can never be
 * mistaken for data:
 * - every HTTP request first takes a slot from the limiter (store/alphavantage-quota.ts), shared by all
 *   concurrent callers; no slot before the invocation's deadline -> DeferredError (the record is handed back);
 * - limit ("Information"/"Note" about request frequency: another client on the same key): every call of this
 *   execution environment pauses, then the call is tried again (through the limiter), with growing waits,
 *   while the deadline allows; past it DeferredError('alphavantage-limit'). The daily quota marks the shared
 *   budget's day as used up and defers at once (nothing frees up before midnight);
 * - malformed or cut-off body -> retried in place by the transport, then TransientError;
 * - premium-only -> PermanentError('premium-only'); "Error Message" -> PermanentError('api-error') (a
 *   NoDataError for "Invalid API call": AlphaVantage has nothing for the symbol); no data -> NoDataError('no-data')
 *   (a bare `{}`, which also comes transiently, is asked twice at most, then believed); data of an unexpected
 *   shape -> PermanentError('invalid-response'). A NoDataError is remembered by the handlers (../no-data.ts).
 */
import { AbortError } from 'p-retry';
import type { IndicatorSpec } from '../../../model/messages.ts';
import { currentDeadline } from '../deadline.ts';
import { untilUtcMidnight } from '../domain/quota.ts';
import { DeferredError, NoDataError, PermanentError, TransientError } from '../errors.ts';
import type { CallLimiter } from '../store/alphavantage-quota.ts';
import type { AlphaVantageFunction } from './classify.ts';
import type { AlphaVantageTransport } from './http.ts';
import { interpretResponse, type ParsedData } from './parse.ts';

export type StatementFunction = 'INCOME_STATEMENT' | 'BALANCE_SHEET' | 'CASH_FLOW';

/** What the handlers need from AlphaVantage (a port: tests and the local runner use the real implementation). */
export interface AlphaVantageApi {
  listingStatus(): Promise<ParsedData['LISTING_STATUS']>;
  overview(symbol: string): Promise<ParsedData['OVERVIEW']>;
  financialStatement(fn: StatementFunction, symbol: string): Promise<ParsedData[StatementFunction]>;
  dailySeries(symbol: string, outputsize: 'compact' | 'full'): Promise<ParsedData['TIME_SERIES_DAILY']>;
  globalQuote(symbol: string): Promise<ParsedData['GLOBAL_QUOTE']>;
  indicator(symbol: string, spec: IndicatorSpec): Promise<ParsedData[IndicatorSpec['function']]>;
}

export interface ClientHooks {
  /** Called for every limit answer (the handler turns it into the AlphaVantageLimitResponses metric). */
  onLimit?: (fn: AlphaVantageFunction, message: string) => void;
  /** Called for a daily-limit answer, after the shared budget's day was marked spent. */
  onDailyLimit?: (fn: AlphaVantageFunction, message: string) => void;
}

export interface LimitPolicy {
  /** The shared budget every request is taken from. @default none (tests and benchmarks of the bare client) */
  limiter?: CallLimiter;
  /** Longest a call waits in place for a per-second/per-minute limit to pass, outside an invocation. @default 60000 */
  maxLimitWaitMs?: number;
  /** First wait after a limit answer; doubles up to 16 s, with jitter. @default 1000 */
  initialLimitWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** The instant a call must be done by (epoch ms). @default the current invocation's deadline */
  deadline?: () => number | undefined;
}

/** Thrown inside the transport's retry loop for a limit answer; never escapes the client. */
class LimitAnswer extends Error {
  override readonly name = 'LimitAnswer';
  constructor(
    readonly scope: string,
    message: string,
  ) {
    super(message);
  }
}

/** The transport's attempts all got a retryable "no data" answer: then it is believed. */
const EMPTY_EVERY_TIME = 'alphavantage-empty';
/** Asks of one call that may get an empty answer before it is believed: one retry for the transient `{}`. */
const MAX_EMPTY_ASKS = 2;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Calls of one execution environment wait here while AlphaVantage says the limit is reached. */
let pausedUntil = 0;

export class AlphaVantageClient implements AlphaVantageApi {
  private readonly maxLimitWaitMs: number;
  private readonly initialLimitWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly deadline: () => number | undefined;
  private readonly limiter: CallLimiter | undefined;

  constructor(
    private readonly transport: AlphaVantageTransport,
    private readonly hooks: ClientHooks = {},
    policy: LimitPolicy = {},
  ) {
    this.maxLimitWaitMs = policy.maxLimitWaitMs ?? 60_000;
    this.initialLimitWaitMs = policy.initialLimitWaitMs ?? 1_000;
    this.sleep = policy.sleep ?? defaultSleep;
    this.now = policy.now ?? Date.now;
    this.deadline = policy.deadline ?? currentDeadline;
    this.limiter = policy.limiter;
  }

  private async call<Fn extends AlphaVantageFunction>(
    fn: Fn,
    params: Record<string, string>,
  ): Promise<ParsedData[Fn]> {
    const what = `${fn} ${params.symbol ?? ''}`.trim();
    const latest = this.deadline() ?? this.now() + this.maxLimitWaitMs;
    let waited = 0;
    let wait = this.initialLimitWaitMs;
    for (;;) {
      const pause = pausedUntil - this.now();
      if (pause > 0) {
        await this.sleep(pause);
        waited += pause;
      }
      try {
        return await this.callOnce(fn, params, what);
      } catch (error) {
        if (error instanceof TransientError && error.code === EMPTY_EVERY_TIME) {
          throw new NoDataError('no-data', `${error.message}, on every attempt`, { cause: error });
        }
        if (!(error instanceof LimitAnswer)) throw error;
        if (error.scope === 'day') {
          await this.limiter?.markDayExhausted(error.message);
          this.hooks.onDailyLimit?.(fn, error.message);
          throw new DeferredError(
            'alphavantage-limit',
            `${what}: limit reached (day): ${error.message}`,
            untilUtcMidnight(this.now()),
          );
        }
        if (this.now() + wait > latest) {
          throw new DeferredError(
            'alphavantage-limit',
            `${what}: limit reached (${error.scope}) after waiting ${Math.round(waited / 1000)} s: ${error.message}`,
            wait,
          );
        }
        // Jitter keeps environments that were limited together from coming back together.
        const jittered = Math.round(wait * (0.75 + Math.random() * 0.5));
        pausedUntil = Math.max(pausedUntil, this.now() + jittered);
        wait = Math.min(wait * 2, 16_000);
      }
    }
  }

  private callOnce<Fn extends AlphaVantageFunction>(
    fn: Fn,
    params: Record<string, string>,
    what: string,
  ): Promise<ParsedData[Fn]> {
    const limiter = this.limiter;
    const takeSlot = limiter ? () => limiter.acquire(what) : undefined;
    let emptyAnswers = 0;
    return this.transport.get(
      { function: fn, ...params },
      (body) => {
        const result = interpretResponse(fn, body);
        switch (result.kind) {
          case 'data':
            return result.data;
          case 'malformed':
            throw new TransientError('alphavantage-malformed', `${what}: ${result.message}`);
          case 'limit':
            this.hooks.onLimit?.(fn, result.message);
            throw new AbortError(new LimitAnswer(result.scope, result.message));
          case 'premium':
            throw new AbortError(
              new PermanentError('premium-only', `${what}: premium only: ${result.message}`),
            );
          case 'error':
            // "Invalid API call" for a well-formed request: AlphaVantage has nothing for this symbol.
            throw new AbortError(
              result.reason === 'invalid-call'
                ? new NoDataError('api-error', `${what}: ${result.message}`)
                : new PermanentError('api-error', `${what}: ${result.message}`),
            );
          case 'empty':
            // AlphaVantage also sends `{}` transiently: asked once more, then believed (each ask costs a call).
            emptyAnswers += 1;
            if (result.retryable && emptyAnswers < MAX_EMPTY_ASKS) {
              throw new TransientError(EMPTY_EVERY_TIME, `${what}: ${result.message}`);
            }
            throw new AbortError(
              new NoDataError(
                'no-data',
                `${what}: ${result.message}${emptyAnswers > 1 ? `, ${emptyAnswers} times` : ''}`,
              ),
            );
          case 'invalid':
            throw new AbortError(new PermanentError('invalid-response', `${what}: ${result.message}`));
        }
      },
      takeSlot,
    );
  }

  listingStatus() {
    return this.call('LISTING_STATUS', {});
  }

  overview(symbol: string) {
    return this.call('OVERVIEW', { symbol });
  }

  financialStatement(fn: StatementFunction, symbol: string) {
    return this.call(fn, { symbol });
  }

  dailySeries(symbol: string, outputsize: 'compact' | 'full') {
    return this.call('TIME_SERIES_DAILY', { symbol, outputsize });
  }

  globalQuote(symbol: string) {
    return this.call('GLOBAL_QUOTE', { symbol });
  }

  indicator(symbol: string, spec: IndicatorSpec) {
    const params: Record<string, string> = { symbol, interval: spec.interval, series_type: spec.seriesType };
    if (spec.function !== 'MACD') params.time_period = String(spec.timePeriod);
    return this.call(spec.function, params);
  }
}
