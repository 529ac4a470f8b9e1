/**
 * GET /query: counters, then an injected fault if a rule fires, then the apikey and quota checks, then
 * AlphaVantage's answer (api.ts). The apikey is never logged: the log line shows the URL with `***`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { jsonBody } from './answers.ts';
import { answerQuery } from './api.ts';
import type { FaultRule } from './faults.ts';
import { htmlError, redactApiKey, send } from './http.ts';
import * as messages from './messages.ts';
import { canonicalSymbol } from './series.ts';
import type { SimulatorState, SimulatorStats } from './state.ts';

type LoggedOutcome = keyof SimulatorStats['requests']['byOutcome'];

export interface QueryEnvironment {
  state: SimulatorState;
  /** Responses held open by `timeout` faults, destroyed when the simulator closes. */
  heldResponses: Set<ServerResponse>;
  log?: (line: Record<string, unknown>) => void;
}

interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  url: URL;
  fn: string;
  symbol: string | undefined;
  /** Counts the outcome and writes the log line. */
  finish: (outcome: LoggedOutcome, status: number, extra?: Record<string, unknown>) => void;
}

function jsonAnswer(value: unknown) {
  return { status: 200, contentType: 'application/json', body: jsonBody(value) };
}

/** Serves a fault that replaces the answer; true when the request is done with. */
function serveFault(environment: QueryEnvironment, exchange: Exchange, fault: FaultRule): boolean {
  const { state, heldResponses } = environment;
  const { response, finish } = exchange;
  const extra = { fault: fault.mode };
  switch (fault.mode) {
    case 'timeout':
      // Hold the connection: no answer until the client gives up or the simulator closes.
      heldResponses.add(response);
      response.on('close', () => heldResponses.delete(response));
      finish('fault', 0, extra);
      return true;
    case 'http-error': {
      const status = fault.status ?? 503;
      send(response, { status, contentType: 'text/html', body: htmlError(status) });
      finish('fault', status, extra);
      return true;
    }
    case 'limit':
      state.stats.requests.limited += 1;
      state.stats.requests.limitedByWindow.minute += 1;
      send(response, jsonAnswer({ Information: state.limitMessage('minute') }));
      finish('limit', 200, { ...extra, window: 'minute' });
      return true;
    case 'empty-json':
      send(response, { status: 200, contentType: 'application/json', body: '{}' });
      finish('fault', 200, extra);
      return true;
    default:
      return false;
  }
}

/** Refuses a missing or unknown apikey and a request over quota; true when refused. */
function refuseKeyOrQuota(state: SimulatorState, exchange: Exchange): boolean {
  const apiKey = exchange.url.searchParams.get('apikey') ?? '';
  if (!state.acceptsKey(apiKey)) {
    send(exchange.response, jsonAnswer({ 'Error Message': messages.MISSING_API_KEY }));
    exchange.finish('invalid-key', 200);
    return true;
  }
  const decision = state.quotas.take(apiKey);
  if (decision.allowed) return false;
  state.stats.requests.limited += 1;
  state.stats.requests.limitedByWindow[decision.window] += 1;
  send(exchange.response, jsonAnswer({ Information: state.limitMessage(decision.window) }));
  exchange.finish('limit', 200, { window: decision.window });
  return true;
}

function startExchange(
  environment: QueryEnvironment,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Exchange {
  const { state, log } = environment;
  const started = performance.now();
  const fn = url.searchParams.get('function') ?? '';
  const symbol = url.searchParams.get('symbol')?.trim() || undefined;
  const requests = state.stats.requests;
  requests.total += 1;
  requests.byFunction[fn || '(none)'] = (requests.byFunction[fn || '(none)'] ?? 0) + 1;
  if (symbol !== undefined) {
    const key = canonicalSymbol(symbol);
    requests.bySymbol[key] = (requests.bySymbol[key] ?? 0) + 1;
  }
  const outputsize = url.searchParams.get('outputsize');
  if (outputsize) requests.byOutputsize[outputsize] = (requests.byOutputsize[outputsize] ?? 0) + 1;
  const finish = (outcome: LoggedOutcome, status: number, extra: Record<string, unknown> = {}) => {
    state.count(outcome);
    log?.({
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
  return { request, response, url, fn, symbol, finish };
}

export async function handleQuery(
  environment: QueryEnvironment,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  const { state } = environment;
  const exchange = startExchange(environment, request, response, url);
  const fault = state.faults.choose(exchange.fn, exchange.symbol);
  if (fault !== undefined) {
    state.stats.requests.faults += 1;
    state.stats.requests.faultsByMode[fault.mode] += 1;
    if (serveFault(environment, exchange, fault)) return;
    if (fault.mode === 'delay') {
      await new Promise((resolve) => setTimeout(resolve, fault.delayMs ?? 2000));
      if (response.destroyed) return;
    }
  }
  if (refuseKeyOrQuota(state, exchange)) return;
  const answer = answerQuery(url.searchParams, state.context());
  if (fault?.mode === 'malformed-json') {
    // A body cut off mid-way, as a dropped upstream connection would leave it.
    send(response, {
      ...answer,
      body: answer.body.slice(0, Math.max(1, Math.floor(answer.body.length / 2))),
    });
    exchange.finish('fault', 200, { fault: fault.mode });
    return;
  }
  send(response, answer);
  if (fault?.mode === 'delay') {
    // Counted twice: as the fault and as what was answered after the delay.
    exchange.finish('fault', answer.status, { fault: fault.mode });
    state.count(answer.outcome);
    return;
  }
  exchange.finish(answer.outcome, answer.status);
}
