/**
 * The REAL AlphaVantage client against an in-process simulator, for unit tests of the handlers' logic.
 *
 * `useSimulatorClient` registers the hooks of the surrounding scope (file or `describe`): the simulator and a
 * client with its own connection pool are started once (beforeAll), the simulator is reset before each test
 * (counters, faults, clock and quotas back to their start) and both are closed afterwards (afterAll). The
 * returned accessors are valid inside tests and hooks, once beforeAll has run.
 */
import { Agent } from 'undici';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AlphaVantageClient } from '../../functions/shared/alphavantage/client.ts';
import { AlphaVantageTransport, type TransportOptions } from '../../functions/shared/alphavantage/http.ts';
import {
  type AlphaVantageSimulator,
  type AlphaVantageSimulatorOptions,
  createAlphaVantageSimulator,
} from '../../localstack/simulator/index.ts';

/** Transport settings of the tests: fast backoff and few attempts keep failure paths quick. */
const TEST_TRANSPORT = {
  apiKey: async () => 'unit-test-key',
  timeoutMs: 5_000,
  maxAttempts: 2,
  backoffBaseMs: 5,
} satisfies Partial<TransportOptions>;

export interface SimulatorClient {
  readonly simulator: AlphaVantageSimulator;
  readonly client: AlphaVantageClient;
}

export function useSimulatorClient(
  simulatorOptions: AlphaVantageSimulatorOptions,
  transport: Partial<Omit<TransportOptions, 'baseUrl' | 'dispatcher'>> = {},
): SimulatorClient {
  let simulator: AlphaVantageSimulator | undefined;
  let client: AlphaVantageClient | undefined;
  let agent: Agent | undefined;

  beforeAll(async () => {
    agent = new Agent();
    simulator = await createAlphaVantageSimulator(simulatorOptions);
    client = new AlphaVantageClient(
      new AlphaVantageTransport({
        ...TEST_TRANSPORT,
        ...transport,
        baseUrl: simulator.url,
        dispatcher: agent,
      }),
    );
  });
  afterAll(async () => {
    await agent?.close();
    await simulator?.close();
  });
  beforeEach(() => simulator?.reset());

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('useSimulatorClient: used before its beforeAll hook ran');
    return value;
  };
  return {
    get simulator() {
      return started(simulator);
    },
    get client() {
      return started(client);
    },
  };
}
