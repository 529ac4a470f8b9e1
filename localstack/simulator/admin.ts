/**
 * Admin endpoints under /__simulator/: GET stats; GET/POST/DELETE faults; POST reset; GET/POST config.
 * Bad bodies get HTTP 400 with `{"error": ...}`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod';
import { jsonBody } from './answers.ts';
import { faultRulesSchema } from './faults.ts';
import { SUPPORTED_FUNCTIONS } from './functions.ts';
import { readJson, send } from './http.ts';
import { configChangeSchema, type SimulatorState } from './state.ts';

async function setFaults(state: SimulatorState, request: IncomingMessage): Promise<unknown> {
  const body = await readJson(request);
  const parsed = faultRulesSchema.safeParse(
    Array.isArray(body) ? body : (body as { faults?: unknown }).faults,
  );
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
  state.faults.set(parsed.data);
  return { faults: state.faults.list() };
}

async function configure(state: SimulatorState, request: IncomingMessage): Promise<unknown> {
  const parsed = configChangeSchema.safeParse(await readJson(request));
  if (!parsed.success) throw new Error(z.prettifyError(parsed.error));
  if (parsed.data.now !== undefined && Number.isNaN(new Date(parsed.data.now).getTime()))
    throw new Error('invalid now');
  state.applyConfig(parsed.data);
  return { plan: state.plan.name, limits: state.plan.limits, now: state.clock().toISOString() };
}

function currentConfig(state: SimulatorState): unknown {
  return {
    plan: state.plan.name,
    limits: state.plan.limits,
    premium: state.plan.premium,
    now: state.clock().toISOString(),
    unknownSymbols: [...state.unknownSymbols],
    anySymbol: state.anySymbol,
    functions: SUPPORTED_FUNCTIONS,
  };
}

type Route = (state: SimulatorState, request: IncomingMessage) => unknown;

const ROUTES: Readonly<Record<string, Route>> = {
  'GET /__simulator/stats': (state) => state.stats,
  'GET /__simulator/faults': (state) => ({ faults: state.faults.list() }),
  'POST /__simulator/faults': setFaults,
  'DELETE /__simulator/faults': (state) => {
    state.faults.set([]);
    return { faults: [] };
  },
  'POST /__simulator/reset': (state) => {
    state.reset();
    return { reset: true };
  },
  'GET /__simulator/config': currentConfig,
  'POST /__simulator/config': configure,
};

export async function handleAdmin(
  state: SimulatorState,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  state.stats.adminRequests += 1;
  const route = `${request.method} ${url.pathname}`;
  const handler = ROUTES[route];
  const reply = (status: number, value: unknown) =>
    send(response, { status, contentType: 'application/json', body: jsonBody(value) });
  if (handler === undefined) return reply(404, { error: `no route ${route}` });
  try {
    reply(200, await handler(state, request));
  } catch (error) {
    reply(400, { error: error instanceof Error ? error.message : String(error) });
  }
}
