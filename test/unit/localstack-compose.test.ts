/**
 * localstack/docker-compose.yml is for developers with Docker; CI has none, so this checks what can drift: the
 * images follow the versions the JVM stack and the emulator venv pin, the host ports follow `npm run local`'s
 * defaults, and every broker setting the file gives matches the broker `npm run local` configures.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { resolveLocalStackOptions } from '../../localstack/stack/index.ts';
import { KAFKA_VERSION } from '../../localstack/stack/kafka-jars-lock.ts';
import { kafkaServerProperties } from '../../localstack/stack/services.ts';

const localstackDir = path.resolve(import.meta.dirname, '..', '..', 'localstack');

interface ComposeService {
  image: string;
  ports: string[];
  environment?: Record<string, string | number>;
}

const compose = parse(readFileSync(path.join(localstackDir, 'docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};

/** Settings that differ on purpose: listeners and addresses (containers), the JVM heap option's spelling. */
const CONTAINER_ONLY = new Set([
  'listeners',
  'advertised.listeners',
  'controller.quorum.voters',
  'inter.broker.listener.name',
  'listener.security.protocol.map',
  'heap.opts',
]);

function brokerProperties(): Map<string, string> {
  const options = resolveLocalStackOptions({}, {});
  const lines = kafkaServerProperties(options, '/tmp/kafka-data').split('\n');
  return new Map(
    lines
      .filter((line) => line.includes('=') && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** Host port of a `127.0.0.1:${VAR:-default}:container` mapping, with the default filled in. */
function hostPort(mapping: string): { variable: string; port: number } {
  const match = /^127\.0\.0\.1:\$\{(\w+):-(\d+)\}:\d+$/.exec(mapping);
  if (!match) throw new Error(`port mapping ${mapping} is not loopback-only with a HORTON_* default`);
  return { variable: match[1] ?? '', port: Number(match[2]) };
}

describe('localstack/docker-compose.yml', () => {
  const { kafka, aws } = compose.services;

  it('runs the pinned Kafka and moto versions', () => {
    expect(kafka?.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    const requirements = readFileSync(path.join(localstackDir, 'requirements-emulator.txt'), 'utf8');
    const moto = /^moto(?:\[[^\]]*\])?==(\S+)$/m.exec(requirements)?.[1];
    expect(moto).toBeDefined();
    expect(aws?.image).toBe(`motoserver/moto:${moto}`);
  });

  it("serves on npm run local's default ports, on loopback only", () => {
    const defaults = resolveLocalStackOptions({}, {});
    expect(kafka?.ports.map(hostPort)).toEqual([{ variable: 'HORTON_KAFKA_PORT', port: defaults.kafkaPort }]);
    expect(aws?.ports.map(hostPort)).toEqual([{ variable: 'HORTON_AWS_PORT', port: defaults.awsPort }]);
  });

  it('configures the broker as npm run local does', () => {
    const broker = brokerProperties();
    const given = Object.entries(kafka?.environment ?? {})
      .filter(([name]) => name.startsWith('KAFKA_'))
      .map(([name, value]) => [name.slice('KAFKA_'.length).toLowerCase().replaceAll('_', '.'), String(value)])
      .filter(([property]) => !CONTAINER_ONLY.has(property ?? ''));
    expect(given.length).toBeGreaterThan(5);
    for (const [property, value] of given) {
      expect({ property, value }).toEqual({ property, value: broker.get(property ?? '') });
    }
  });
});
