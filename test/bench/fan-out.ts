/**
 * fan-out-publish: the securities handler's fan-out (planFanOut + Publisher.publishCommands per dataset topic) for
 * a small and an 8x larger universe, with kafkajs replaced at its producer boundary so only Horton's own work is
 * timed (planning, grouping, chunking). Linear work gives a time ratio near 8; the former per-message copy of the
 * topic's list was quadratic (near 64).
 */
import type { Kafka, Producer, ProducerBatch } from 'kafkajs';
import { planFanOut } from '../../functions/shared/domain/fan-out.ts';
import { Publisher } from '../../functions/shared/kafka/producer.ts';
import { resolveConfig } from '../../model/config.ts';

const SMALL = Number(process.env.BENCH_FAN_OUT_SYMBOLS ?? 1_000);
const LARGE = SMALL * 8;

function countingKafka() {
  const counts = { requests: 0, messages: 0 };
  const producer = {
    connect: async () => {},
    disconnect: async () => {},
    sendBatch: async (batch: ProducerBatch) => {
      counts.requests += 1;
      for (const topic of batch.topicMessages ?? []) counts.messages += topic.messages.length;
      return [];
    },
  } as unknown as Producer;
  return { kafka: { producer: () => producer } as unknown as Kafka, counts };
}

async function fanOut(symbolCount: number) {
  const { indicators } = resolveConfig({});
  const symbols = Array.from({ length: symbolCount }, (_, index) => `S${index.toString(36).toUpperCase()}`);
  const { kafka, counts } = countingKafka();
  const publisher = new Publisher(kafka);
  const started = performance.now();
  const plan = planFanOut({
    parent: {
      commandId: 'bench-parent-0000000000000000000',
      correlationId: 'bench',
      issuedAt: new Date(0).toISOString(),
    },
    symbols,
    datasets: ['overview', 'history', 'quote', 'indicators'],
    indicators,
  });
  for (const role of ['overview', 'history', 'quote', 'indicators'] as const)
    await publisher.publishCommands(`bench.${role}`, plan[role]);
  return { elapsedMs: performance.now() - started, ...counts };
}

export async function fanOutBenchmark(): Promise<void> {
  await fanOut(SMALL); // warm-up: JIT and module loading out of the measurement
  const small = await fanOut(SMALL);
  const large = await fanOut(LARGE);
  const ratio = large.elapsedMs / small.elapsedMs;
  process.stdout.write(
    `fan-out-publish (${SMALL} and ${LARGE} symbols, 8 commands each)\n` +
      `  ${SMALL}: ${small.messages} commands in ${small.requests} request(s)\n` +
      `  ${LARGE}: ${large.messages} commands in ${large.requests} request(s)\n` +
      `  time ratio ${LARGE}/${SMALL}: ${ratio.toFixed(2)}x (linear: ~8x)\n`,
  );
  process.stdout.write(
    `${JSON.stringify({
      benchmark: 'fan-out-publish',
      symbols: [SMALL, LARGE],
      commands: [small.messages, large.messages],
      requests: [small.requests, large.requests],
      timeRatio: Number(ratio.toFixed(2)),
    })}\n`,
  );
}
