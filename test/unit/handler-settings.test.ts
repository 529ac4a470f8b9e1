/**
 * The settings contract (model/settings.ts): one function builds a handler's settings from the configuration and
 * its bindings (the CDK app and the local runner both call it), and `loadSettings` decodes and validates them at
 * cold start, failing with a message that names the field.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadSettings } from '../../functions/shared/settings.ts';
import { localHandlerSettings } from '../../localstack/runner/pipeline.ts';
import { resolveConfig } from '../../model/config.ts';
import { HANDLER_NAMES, HANDLERS } from '../../model/handlers.ts';
import {
  HANDLER_SETTINGS,
  handlerSettings,
  LOCAL_API_KEY_VARIABLE,
  SETTINGS_VARIABLE,
  SettingsError,
} from '../../model/settings.ts';

const BROKERS = ['127.0.0.1:9092', '127.0.0.1:9093'];

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('handlerSettings', () => {
  it('derives a handler setting from the configuration, with no secret in it', () => {
    // Prepare
    const config = resolveConfig({
      prefix: 'acme',
      alphaVantage: { plan: 'premium75', timeoutMs: 4_000, maxAttempts: 5 },
      quotes: { rollingWindow: 7 },
      topics: { quote: { name: 'acme.quote', partitions: 6 } },
    });

    // Act
    const quote = localHandlerSettings('quote', config, BROKERS);
    const history = localHandlerSettings('history', config, BROKERS);

    // Assess
    expect(quote).toEqual({
      serviceName: 'acme-quote',
      tracing: false,
      kafka: { brokers: BROKERS.join(','), auth: 'none' },
      topics: { deadLetter: 'acme.dead-letter' },
      tables: { quotes: 'acme-quotes', noData: 'acme-no-data' },
      alphaVantage: {
        baseUrl: 'https://www.alphavantage.co',
        timeoutMs: 4_000,
        maxAttempts: 5,
        // The shared budget: the plan's pace, no daily cap on a premium plan.
        quota: { table: 'acme-alphavantage-quota', requestsPerMinute: 75, requestsPerDay: null },
      },
      rollingWindow: 7,
    });
    expect(history.premium).toBe(true);
    expect(localHandlerSettings('history', resolveConfig({}), BROKERS).premium).toBe(false);
    expect(JSON.stringify(quote)).not.toMatch(/apikey|key"/i);
  });

  it.each(HANDLER_NAMES)(
    '%s: exactly the topics and tables of its catalogue entry, valid for its contract',
    (name) => {
      // Prepare
      const spec = HANDLERS[name];
      const config = resolveConfig({ universe: { source: 'listing' } });

      // Act
      const settings = localHandlerSettings(name, config, BROKERS) as {
        topics: Record<string, string>;
        tables?: Record<string, string>;
        alphaVantage?: unknown;
      };
      const decoded = HANDLER_SETTINGS[name].safeParse(settings);

      // Assess
      expect(decoded.success, JSON.stringify(decoded.error?.issues)).toBe(true);
      expect(Object.keys(settings.topics).sort()).toEqual([...spec.produces].sort());
      expect(Object.keys(settings.tables ?? {}).sort()).toEqual(Object.keys(spec.tables).sort());
      expect('alphaVantage' in settings).toBe(spec.callsAlphaVantage);
    },
  );

  it('refuses to build settings when a resource the handler needs was not bound', () => {
    // Prepare
    const config = resolveConfig({});

    // Act
    const build = () =>
      handlerSettings('quote', config, {
        serviceName: 'horton-quote',
        kafka: { brokers: 'b:1', auth: 'iam' },
        topics: { deadLetter: 'horton.dead-letter' },
        tables: {},
      });

    // Assess
    expect(build).toThrow(SettingsError);
    expect(build).toThrow('handler quote: no table bound for role quotes');
  });
});

describe('loadSettings', () => {
  const quoteSettings = () => localHandlerSettings('quote', resolveConfig({}), BROKERS);

  it('decodes the settings once into a typed object, with brokers split and the runtime environment', () => {
    // Prepare
    vi.stubEnv(
      SETTINGS_VARIABLE,
      JSON.stringify({ ...quoteSettings(), kafka: { brokers: ' b-1:9098, b-2:9098,', auth: 'iam' } }),
    );
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    vi.stubEnv(LOCAL_API_KEY_VARIABLE, 'local-key');

    // Act
    const settings = loadSettings('quote');

    // Assess
    expect(settings.kafka).toEqual({ brokers: ['b-1:9098', 'b-2:9098'], auth: 'iam' });
    expect(settings.rollingWindow).toBe(10);
    expect(settings.tables.quotes).toBe('horton-quotes');
    expect(settings.runtime).toEqual({
      region: 'eu-west-1',
      localApiKey: 'local-key',
      reportFailureCauses: false,
      simulatedTimeAhead: false,
    });
  });

  it('fails fast naming the variable when it is missing or not JSON', () => {
    vi.stubEnv(SETTINGS_VARIABLE, undefined);
    expect(() => loadSettings('quote')).toThrow(
      'HORTON_SETTINGS is not set: the quote handler has no settings',
    );
    vi.stubEnv(SETTINGS_VARIABLE, '{"tables":');
    expect(() => loadSettings('quote')).toThrow(/HORTON_SETTINGS of the quote handler is not JSON/);
  });

  it('validates what used to be cast: indicators of the securities handler', () => {
    // Prepare: an indicator the configuration schema would refuse (the old handlers cast the JSON unchecked)
    const settings = localHandlerSettings('securities', resolveConfig({}), BROKERS);
    vi.stubEnv(
      SETTINGS_VARIABLE,
      JSON.stringify({ ...settings, indicators: [{ function: 'VWAP', timePeriod: 1 }] }),
    );

    // Act
    const load = () => loadSettings('securities');

    // Assess
    expect(load).toThrow(/indicators\.0\.function: /);
    expect(load).toThrow(/indicators\.0\.timePeriod: /);
  });

  it('fails fast naming each invalid field by its path', () => {
    // Prepare
    const { tables: _tables, ...withoutTables } = quoteSettings();
    vi.stubEnv(
      SETTINGS_VARIABLE,
      JSON.stringify({ ...withoutTables, rollingWindow: 'ten', kafka: { brokers: ',', auth: 'scram' } }),
    );

    // Act
    const load = () => loadSettings('quote');

    // Assess
    expect(load).toThrow(/HORTON_SETTINGS of the quote handler is invalid: /);
    expect(load).toThrow(/kafka\.brokers: no broker given/);
    expect(load).toThrow(/kafka\.auth: /);
    expect(load).toThrow(/tables: /);
    expect(load).toThrow(/rollingWindow: /);
  });
});
