/**
 * The AlphaVantage simulator as an in-process HTTP server: `createAlphaVantageSimulator(options)`.
 * main.ts wraps it as a CLI for the local stack; tests run it on port 0 and close it.
 *
 * Routes: GET /health; GET /query (AlphaVantage's API); admin under /__simulator/: GET stats,
 * GET/POST/DELETE faults, POST reset, GET/POST config. Every AlphaVantage answer is HTTP 200 except
 * injected http-error faults. The apikey is never logged nor reported: the request log shows the URL
 * with the key replaced by `***`.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as z from 'zod';
import { jsonBody, type LineEnding } from './answers.ts';
import {
  type ApiAnswer,
  type ApiContext,
  answerQuery,
  dailySeriesFor,
  type Outcome,
  SUPPORTED_FUNCTIONS,
} from './api.ts';
import { FaultInjector, type FaultMode, type FaultRule, faultRulesSchema } from './faults.ts';
import { type FixtureEntry, indexFixtures } from './fixtures.ts';
import * as messages from './messages.ts';
import {
  PLAN_NAMES,
  PLANS,
  type Plan,
  type PlanName,
  type QuotaLimits,
  QuotaTracker,
  type QuotaWindow,
} from './quotas.ts';
import { canonicalSymbol, type DailyBar, lastTradingDate } from './series.ts';

export interface AlphaVantageSimulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** The simulator clock: data ends at the latest trading day on or before it. Default: real time. */
  now?: Date | string | (() => Date);
  /** Quota preset; default 'unlimited'. */
  plan?: PlanName;
  /** Overrides of the plan's limits. */
  quotas?: QuotaLimits;
  /** Clock for quota windows (ms); default Date.now. Tests pass a fake one. */
  quotaClock?: () => number;
  /** Symbols answered as unknown to AlphaVantage; default ['INVALID', 'UNKNOWN']. */
  unknownSymbols?: string[];
  /** When set, only these apikeys are accepted; others get the invalid-apikey error. */
  apiKeys?: string[];
  /** `apikey=demo` only works for IBM (AlphaVantage's behaviour); default false. */
  demoKeyRestricted?: boolean;
  /** Serve real recorded responses from this directory when one matches (see fixtures.ts). */
  fixturesDir?: string;
  faults?: FaultRule[];
  /** Seed of the fault coin; default 1. */
  faultSeed?: number;
  /** CSV line end; AlphaVantage sends LF today (CRLF in captures before ~2024). Default 'lf'. */
  csvLineEnding?: 'lf' | 'crlf';
  /** How long idle keep-alive connections stay open; default 65 s. */
  keepAliveTimeoutMs?: number;
  /** Receives one structured line per request (apikey redacted). Default: no logging. */
  log?: (line: Record<string, unknown>) => void;
}

export interface SimulatorStats {
  requests: {
    total: number;
    byFunction: Record<string, number>;
    bySymbol: Record<string, number>;
    byOutcome: Record<Outcome | 'fault' | 'invalid-key', number>;
    /** Answers with a quota "Information" body. */
    limited: number;
    limitedByWindow: Record<QuotaWindow, number>;
    faults: number;
    faultsByMode: Record<FaultMode, number>;
  };
  connections: { accepted: number; open: number };
  adminRequests: number;
}

export interface AlphaVantageSimulator {
  url: string;
  port: number;
  close(): Promise<void>;
  stats(): SimulatorStats;
  /** Zeroes counters and quota windows and restores the configured faults and settings. */
  reset(): void;
  setFaults(rules: FaultRule[]): void;
  configure(change: SimulatorConfigChange): void;
}

const configChangeSchema = z.strictObject({
  plan: z.enum(PLAN_NAMES).optional(),
  quotas: z
    .strictObject({
      perSecond: z.number().int().positive().optional(),
      perMinute: z.number().int().positive().optional(),
      perDay: z.number().int().positive().optional(),
    })
    .optional(),
  now: z.string().optional(),
  unknownSymbols: z.array(z.string()).optional(),
  demoKeyRestricted: z.boolean().optional(),
});
export type SimulatorConfigChange = z.infer<typeof configChangeSchema>;

const EMPTY_STATS = (): SimulatorStats => ({
  requests: {
    total: 0,
    byFunction: {},
    bySymbol: {},
    byOutcome: { data: 0, error: 0, empty: 0, limit: 0, premium: 0, notice: 0, fault: 0, 'invalid-key': 0 },
    limited: 0,
    limitedByWindow: { second: 0, minute: 0, day: 0 },
    faults: 0,
    faultsByMode: { 'http-error': 0, delay: 0, timeout: 0, 'malformed-json': 0, 'empty-json': 0, limit: 0 },
  },
  connections: { accepted: 0, open: 0 },
  adminRequests: 0,
});

export function redactApiKey(url: string): string {
  return url.replace(/([?&]apikey=)[^&]*/gi, '$1***');
}

function clockFrom(now: AlphaVantageSimulatorOptions['now']): () => Date {
  if (now === undefined) return () => new Date();
  if (typeof now === 'function') return now;
  const fixed = new Date(now);
  if (Number.isNaN(fixed.getTime())) throw new Error(`invalid simulator clock: ${String(now)}`);
  return () => fixed;
}

function planFor(name: PlanName, overrides: QuotaLimits | undefined): Plan {
  const base = PLANS[name];
  if (overrides === undefined) return base;
  return { name: 'custom', premium: base.premium, limits: { ...base.limits, ...overrides } };
}

function limitMessage(plan: Plan, window: QuotaWindow): string {
  if (plan.premium) return messages.PREMIUM_RATE_LIMIT;
  return window === 'day' ? messages.FREE_DAILY_LIMIT : messages.FREE_BURST_LIMIT;
}

const HTML_ERROR = (status: number) =>
  `<html>\r\n<head><title>${status} Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>${status} Service Temporarily Unavailable</h1></center>\r\n</body>\r\n</html>\r\n`;

const SERIES_CACHE_LIMIT = 512;

export async function createAlphaVantageSimulator(
  options: AlphaVantageSimulatorOptions = {},
): Promise<AlphaVantageSimulator> {
  const initial = {
    clock: clockFrom(options.now),
    planName: options.plan ?? 'unlimited',
    quotas: options.quotas,
    unknownSymbols: options.unknownSymbols ?? ['INVALID', 'UNKNOWN'],
    demoKeyRestricted: options.demoKeyRestricted ?? false,
    faults: options.faults ?? [],
  };
  let clock = initial.clock;
  let plan = planFor(initial.planName, initial.quotas);
  let unknownSymbols = new Set(initial.unknownSymbols.map(canonicalSymbol));
  let demoKeyRestricted = initial.demoKeyRestricted;
  const quotas = new QuotaTracker(plan.limits, options.quotaClock);
  const faults = new FaultInjector(initial.faults, options.faultSeed ?? 1);
  const acceptedKeys = options.apiKeys ? new Set(options.apiKeys) : undefined;
  const lineEnding: LineEnding = options.csvLineEnding === 'crlf' ? '\r\n' : '\n';
  const fixtures: { directory: string; entries: readonly FixtureEntry[] } | undefined = options.fixturesDir
    ? { directory: options.fixturesDir, entries: indexFixtures(options.fixturesDir) }
    : undefined;
  let stats = EMPTY_STATS();
  const heldResponses = new Set<ServerResponse>();
  const seriesCache = new Map<string, DailyBar[]>();

  const cachedSeries = (symbol: string, now: Date): DailyBar[] => {
    const key = `${canonicalSymbol(symbol)}|${lastTradingDate(now)}`;
    let bars = seriesCache.get(key);
    if (bars === undefined) {
      bars = dailySeriesFor(symbol, now);
      if (seriesCache.size >= SERIES_CACHE_LIMIT) {
        const oldest = seriesCache.keys().next().value;
        if (oldest !== undefined) seriesCache.delete(oldest);
      }
      seriesCache.set(key, bars);
    }
    return bars;
  };

  const count = (record: Record<string, number>, key: string) => {
    record[key] = (record[key] ?? 0) + 1;
  };

  const send = (response: ServerResponse, answer: Pick<ApiAnswer, 'status' | 'contentType' | 'body'>) => {
    response.writeHead(answer.status, {
      'content-type': answer.contentType,
      'content-length': Buffer.byteLength(answer.body),
    });
    response.end(answer.body);
  };

  const applyConfig = (change: SimulatorConfigChange) => {
    if (change.plan !== undefined || change.quotas !== undefined) {
      plan = planFor(change.plan ?? (plan.name === 'custom' ? initial.planName : plan.name), change.quotas);
      quotas.setLimits(plan.limits);
    }
    if (change.now !== undefined) clock = clockFrom(change.now);
    if (change.unknownSymbols !== undefined)
      unknownSymbols = new Set(change.unknownSymbols.map(canonicalSymbol));
    if (change.demoKeyRestricted !== undefined) demoKeyRestricted = change.demoKeyRestricted;
  };

  const reset = () => {
    stats = { ...EMPTY_STATS(), connections: { accepted: 0, open: stats.connections.open } };
    clock = initial.clock;
    plan = planFor(initial.planName, initial.quotas);
    quotas.setLimits(plan.limits);
    quotas.reset();
    unknownSymbols = new Set(initial.unknownSymbols.map(canonicalSymbol));
    demoKeyRestricted = initial.demoKeyRestricted;
    faults.set(initial.faults);
    faults.reseed();
  };

  const handleQuery = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    const started = performance.now();
    const params = url.searchParams;
    const fn = params.get('function') ?? '';
    const symbol = params.get('symbol')?.trim() || undefined;
    stats.requests.total += 1;
    count(stats.requests.byFunction, fn || '(none)');
    if (symbol !== undefined) count(stats.requests.bySymbol, canonicalSymbol(symbol));
    const finish = (
      outcome: keyof SimulatorStats['requests']['byOutcome'],
      status: number,
      extra: Record<string, unknown> = {},
    ) => {
      stats.requests.byOutcome[outcome] += 1;
      options.log?.({
        method: request.method,
        url: redactApiKey(url.pathname + url.search),
        function: fn,
        symbol,
        outcome,
        status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...extra,
      });
    };

    const fault = faults.choose(fn, symbol);
    if (fault !== undefined) {
      stats.requests.faults += 1;
      stats.requests.faultsByMode[fault.mode] += 1;
      if (fault.mode === 'timeout') {
        // Hold the connection: no answer until the client gives up or the simulator closes.
        heldResponses.add(response);
        response.on('close', () => heldResponses.delete(response));
        finish('fault', 0, { fault: fault.mode });
        return;
      }
      if (fault.mode === 'http-error') {
        const status = fault.status ?? 503;
        send(response, { status, contentType: 'text/html', body: HTML_ERROR(status) });
        finish('fault', status, { fault: fault.mode });
        return;
      }
      if (fault.mode === 'limit') {
        stats.requests.limited += 1;
        stats.requests.limitedByWindow.minute += 1;
        send(response, {
          status: 200,
          contentType: 'application/json',
          body: jsonBody({ Information: limitMessage(plan, 'minute') }),
        });
        finish('limit', 200, { fault: fault.mode, window: 'minute' });
        return;
      }
      if (fault.mode === 'empty-json') {
        send(response, { status: 200, contentType: 'application/json', body: '{}' });
        finish('fault', 200, { fault: fault.mode });
        return;
      }
      if (fault.mode === 'delay') {
        await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 2000));
        if (response.destroyed) return;
      }
    }

    const apiKey = params.get('apikey') ?? '';
    if (apiKey === '' || (acceptedKeys !== undefined && !acceptedKeys.has(apiKey))) {
      send(response, {
        status: 200,
        contentType: 'application/json',
        body: jsonBody({ 'Error Message': messages.MISSING_API_KEY }),
      });
      finish('invalid-key', 200);
      return;
    }
    const decision = quotas.take(apiKey);
    if (!decision.allowed) {
      stats.requests.limited += 1;
      stats.requests.limitedByWindow[decision.window] += 1;
      send(response, {
        status: 200,
        contentType: 'application/json',
        body: jsonBody({ Information: limitMessage(plan, decision.window) }),
      });
      finish('limit', 200, { window: decision.window });
      return;
    }
    const context: ApiContext = {
      now: clock(),
      plan,
      unknownSymbols,
      lineEnding,
      demoKeyRestricted,
      fixtures,
      dailySeries: cachedSeries,
    };
    const answer = answerQuery(params, context);
    if (fault?.mode === 'malformed-json') {
      // A body cut off mid-way, as a dropped upstream connection would leave it.
      send(response, {
        ...answer,
        body: answer.body.slice(0, Math.max(1, Math.floor(answer.body.length / 2))),
      });
      finish('fault', 200, { fault: fault.mode });
      return;
    }
    send(response, answer);
    finish(
      fault?.mode === 'delay' ? 'fault' : answer.outcome,
      answer.status,
      fault ? { fault: fault.mode } : {},
    );
    if (fault?.mode === 'delay') stats.requests.byOutcome[answer.outcome] += 1;
  };

  const readJson = async (request: IncomingMessage): Promise<unknown> => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8').trim();
    return text === '' ? {} : JSON.parse(text);
  };

  const handleAdmin = async (request: IncomingMessage, response: ServerResponse, url: URL) => {
    stats.adminRequests += 1;
    const route = `${request.method} ${url.pathname}`;
    const ok = (value: unknown) =>
      send(response, { status: 200, contentType: 'application/json', body: jsonBody(value) });
    const bad = (message: string) =>
      send(response, { status: 400, contentType: 'application/json', body: jsonBody({ error: message }) });
    try {
      switch (route) {
        case 'GET /__simulator/stats':
          return ok(stats);
        case 'GET /__simulator/faults':
          return ok({ faults: faults.list() });
        case 'POST /__simulator/faults': {
          const body = await readJson(request);
          const parsed = faultRulesSchema.safeParse(
            Array.isArray(body) ? body : (body as { faults?: unknown }).faults,
          );
          if (!parsed.success) return bad(z.prettifyError(parsed.error));
          faults.set(parsed.data);
          return ok({ faults: faults.list() });
        }
        case 'DELETE /__simulator/faults':
          faults.set([]);
          return ok({ faults: [] });
        case 'POST /__simulator/reset':
          reset();
          return ok({ reset: true });
        case 'GET /__simulator/config':
          return ok({
            plan: plan.name,
            limits: plan.limits,
            premium: plan.premium,
            now: clock().toISOString(),
            unknownSymbols: [...unknownSymbols],
            functions: SUPPORTED_FUNCTIONS,
          });
        case 'POST /__simulator/config': {
          const parsed = configChangeSchema.safeParse(await readJson(request));
          if (!parsed.success) return bad(z.prettifyError(parsed.error));
          if (parsed.data.now !== undefined && Number.isNaN(new Date(parsed.data.now).getTime()))
            return bad('invalid now');
          applyConfig(parsed.data);
          return ok({ plan: plan.name, limits: plan.limits, now: clock().toISOString() });
        }
        default:
          send(response, {
            status: 404,
            contentType: 'application/json',
            body: jsonBody({ error: `no route ${route}` }),
          });
      }
    } catch (error) {
      bad(error instanceof Error ? error.message : String(error));
    }
  };

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator.local');
    if (url.pathname === '/health') {
      send(response, { status: 200, contentType: 'application/json', body: '{"status":"ok"}' });
      return;
    }
    if (url.pathname === '/query' && (request.method === 'GET' || request.method === 'HEAD')) {
      handleQuery(request, response, url).catch((error: unknown) => {
        options.log?.({ level: 'error', message: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent)
          send(response, { status: 500, contentType: 'text/plain', body: 'simulator error' });
      });
      return;
    }
    if (url.pathname.startsWith('/__simulator/')) {
      void handleAdmin(request, response, url);
      return;
    }
    send(response, { status: 404, contentType: 'text/plain', body: 'not found' });
  });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  server.on('connection', (socket: Socket) => {
    stats.connections.accepted += 1;
    stats.connections.open += 1;
    socket.on('close', () => {
      stats.connections.open -= 1;
    });
  });

  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    stats: () => structuredClone(stats),
    reset,
    setFaults: (rules) => faults.set(faultRulesSchema.parse(rules)),
    configure: (change) => applyConfig(configChangeSchema.parse(change)),
    close: async () => {
      for (const held of heldResponses) held.destroy();
      heldResponses.clear();
      const closed = new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
      server.closeAllConnections();
      await closed;
    },
  };
}
