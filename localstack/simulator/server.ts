/**
 * The AlphaVantage simulator as an in-process HTTP server: `createAlphaVantageSimulator(options)`.
 * main.ts wraps it as a CLI for the local stack; tests run it on port 0 and close it.
 *
 * Routes: GET /health; GET /query (AlphaVantage's API, query.ts); admin under /__simulator/ (admin.ts).
 * Every AlphaVantage answer is HTTP 200 except injected http-error faults, and every response carries the
 * `X-Horton-Simulator: 1` header (http.ts).
 */
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleAdmin } from './admin.ts';
import type { FaultRule } from './faults.ts';
import { faultRulesSchema } from './faults.ts';
import { send } from './http.ts';
import { handleQuery, type QueryEnvironment } from './query.ts';
import {
  configChangeSchema,
  type SimulatorConfigChange,
  type SimulatorSettings,
  SimulatorState,
  type SimulatorStats,
} from './state.ts';

export { redactApiKey } from './http.ts';
export type { SimulatorConfigChange, SimulatorStats } from './state.ts';

export interface AlphaVantageSimulatorOptions extends SimulatorSettings {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** How long idle keep-alive connections stay open; default 65 s. */
  keepAliveTimeoutMs?: number;
  /** Receives one structured line per request (apikey redacted). Default: no logging. */
  log?: (line: Record<string, unknown>) => void;
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

function router(environment: QueryEnvironment): Server {
  const { state, log } = environment;
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator.local');
    if (url.pathname === '/health') {
      send(response, { status: 200, contentType: 'application/json', body: '{"status":"ok"}' });
    } else if (url.pathname === '/query' && (request.method === 'GET' || request.method === 'HEAD')) {
      handleQuery(environment, request, response, url).catch((error: unknown) => {
        log?.({ level: 'error', message: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent)
          send(response, { status: 500, contentType: 'text/plain', body: 'simulator error' });
      });
    } else if (url.pathname.startsWith('/__simulator/')) {
      void handleAdmin(state, request, response, url);
    } else {
      send(response, { status: 404, contentType: 'text/plain', body: 'not found' });
    }
  });
}

export async function createAlphaVantageSimulator(
  options: AlphaVantageSimulatorOptions = {},
): Promise<AlphaVantageSimulator> {
  const state = new SimulatorState(options);
  const heldResponses = new Set<ServerResponse>();
  const server = router({ state, heldResponses, log: options.log });
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000;
  server.headersTimeout = server.keepAliveTimeout + 1_000;
  server.on('connection', (socket: Socket) => {
    state.stats.connections.accepted += 1;
    state.stats.connections.open += 1;
    socket.on('close', () => {
      state.stats.connections.open -= 1;
    });
  });
  const host = options.host ?? '127.0.0.1';
  server.listen(options.port ?? 0, host);
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    stats: () => structuredClone(state.stats),
    reset: () => state.reset(),
    setFaults: (rules) => state.faults.set(faultRulesSchema.parse(rules)),
    configure: (change) => state.applyConfig(configChangeSchema.parse(change)),
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
