/**
 * Kafka producer for handlers: one client per execution environment (module scope in each handler), connected
 * lazily on first publish and kept connected across invocations.
 *
 * In AWS the cluster uses IAM access control: SASL/OAUTHBEARER with a token signed by the function's role
 * (aws-msk-iam-sasl-signer-js) over TLS. Locally the broker listens in plaintext on loopback.
 */
import { createHash } from 'node:crypto';
import { Kafka, type KafkaConfig, logLevel, type Producer } from 'kafkajs';
import type { Command, DeadLetter } from '../../../model/messages.ts';
import { messageKey } from '../../../model/messages.ts';

export type KafkaAuth = 'iam' | 'none';

export interface KafkaConnection {
  brokers: string[];
  auth: KafkaAuth;
  /** Region for IAM token signing. */
  region?: string;
  clientId: string;
}

export function kafkaConfig(connection: KafkaConnection): KafkaConfig {
  const base: KafkaConfig = {
    clientId: connection.clientId,
    brokers: connection.brokers,
    logLevel: logLevel.WARN,
    retry: { retries: 5, initialRetryTime: 200 },
  };
  if (connection.auth === 'none') return base;
  const region = connection.region;
  if (!region) throw new Error('IAM auth to MSK needs a region');
  return {
    ...base,
    ssl: true,
    sasl: {
      mechanism: 'oauthbearer',
      // Loaded on first connect, not at cold start: a consumer that never dead-letters never signs a token, and
      // the signer (with its own credential chain) is the heaviest module of a handler's bundle to evaluate.
      oauthBearerProvider: async () => {
        const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
        return { value: (await generateAuthToken({ region })).token };
      },
    },
  };
}

/** What a handler's settings say about its producer (model/settings.ts `kafka`, `serviceName`; the region). */
export interface ProducerSettings {
  serviceName: string;
  kafka: { brokers: string[]; auth: KafkaAuth };
  runtime: { region: string | undefined };
}

export function connectionOf(settings: ProducerSettings): KafkaConnection {
  const { region } = settings.runtime;
  return { ...settings.kafka, clientId: settings.serviceName, ...(region ? { region } : {}) };
}

export interface OutgoingMessage {
  topic: string;
  /** @default the partitioner's choice for the key */
  partition?: number;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** How much one produce request carries; a fan-out of any size goes out as a sequence of such chunks. */
export interface ChunkLimits {
  /** @default 500 */
  maxMessages: number;
  /**
   * Key, value and header bytes, plus a per-record allowance. Well under the broker's 1 MiB `max.message.bytes`
   * (MSK's default too), which applies to each partition's record batch in a request.
   * @default 524288
   */
  maxBytes: number;
}

const DEFAULT_CHUNK_LIMITS: ChunkLimits = { maxMessages: 500, maxBytes: 512 * 1024 };
/** Record framing (offsets, lengths, timestamp) counted per message, so many tiny messages are bounded too. */
const RECORD_OVERHEAD_BYTES = 64;
/** Chunk digests of failed publishes remembered for their retry; beyond this the oldest are forgotten. */
const REMEMBERED_CHUNKS = 20_000;

/** A publish that failed part-way: what went out before the failure (those chunks are not sent again). */
export class PublishIncomplete extends Error {
  override readonly name = 'PublishIncomplete';
  constructor(
    readonly published: number,
    readonly total: number,
    cause: unknown,
  ) {
    super(`published ${published} of ${total} messages, then failed: ${(cause as Error)?.message ?? cause}`, {
      cause,
    });
  }
}

function messageBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key) + Buffer.byteLength(message.value);
  for (const [name, value] of Object.entries(message.headers ?? {}))
    bytes += Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** Splits one topic's messages, in order, into chunks within the limits (a message larger than that alone). */
function chunkMessages(messages: readonly OutgoingMessage[], limits: ChunkLimits): OutgoingMessage[][] {
  const chunks: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = messageBytes(message);
    if (current.length > 0 && (current.length >= limits.maxMessages || bytes + size > limits.maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function chunkDigest(topic: string, chunk: readonly OutgoingMessage[]): string {
  const hash = createHash('sha256').update(topic);
  for (const message of chunk) {
    hash.update('\u0000').update(message.key).update('\u0000').update(message.value);
    for (const [name, value] of Object.entries(message.headers ?? {}))
      hash.update('\u0001').update(name).update('\u0001').update(value);
  }
  return hash.digest('hex');
}

/**
 * Publishes commands and dead letters in bounded chunks, one topic after another in the given order, each chunk
 * acknowledged by all in-sync replicas (acks=-1) before the next is sent.
 *
 * Resuming: when a publish fails part-way, the chunks that went out are remembered (by a digest of their exact
 * bytes) in this execution environment; when the failed fan-out is retried here, those chunks are skipped and it
 * resumes at the one that failed. A retry in another environment re-sends them, which is safe because command ids
 * are deterministic and every handler's write is idempotent by them
 * (docs/decisions/0040-bounded-publishing-and-dead-letters.md). A publish that completed leaves nothing behind.
 */
export class Publisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  /** Digests of chunks that went out in a publish that then failed. */
  private readonly sentBeforeFailure = new Set<string>();

  constructor(
    private readonly kafka: Kafka,
    private readonly limits: ChunkLimits = DEFAULT_CHUNK_LIMITS,
  ) {}

  static fromConnection(connection: KafkaConnection): Publisher {
    return new Publisher(new Kafka(kafkaConfig(connection)));
  }

  private async connected(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  /** Rejects with `PublishIncomplete` when a chunk fails (kafkajs has retried it by then). */
  async send(messages: readonly OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.connected();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      const topicMessages = byTopic.get(message.topic);
      if (topicMessages) topicMessages.push(message);
      else byTopic.set(message.topic, [message]);
    }
    let published = 0;
    const sent: string[] = [];
    for (const [topic, topicMessages] of byTopic) {
      for (const chunk of chunkMessages(topicMessages, this.limits)) {
        const digest = chunkDigest(topic, chunk);
        if (!this.sentBeforeFailure.has(digest)) {
          try {
            await producer.sendBatch({
              acks: -1,
              topicMessages: [
                {
                  topic,
                  messages: chunk.map((m) => ({
                    key: m.key,
                    value: m.value,
                    headers: m.headers ?? {},
                    ...(m.partition === undefined ? {} : { partition: m.partition }),
                  })),
                },
              ],
            });
          } catch (error) {
            this.rememberForRetry(sent);
            throw new PublishIncomplete(published, messages.length, error);
          }
        }
        sent.push(digest);
        published += chunk.length;
      }
    }
    for (const digest of sent) this.sentBeforeFailure.delete(digest);
  }

  private rememberForRetry(digests: readonly string[]): void {
    for (const digest of digests) this.sentBeforeFailure.add(digest);
    // Sets iterate in insertion order: the oldest digests go first.
    for (const digest of this.sentBeforeFailure) {
      if (this.sentBeforeFailure.size <= REMEMBERED_CHUNKS) break;
      this.sentBeforeFailure.delete(digest);
    }
  }

  async publishCommands(topic: string, commands: Command[]): Promise<void> {
    await this.send(
      commands.map((command) => ({
        topic,
        key: messageKey(command),
        value: JSON.stringify(command),
        headers: { 'content-type': 'application/json', 'correlation-id': command.correlationId },
      })),
    );
  }

  async publishDeadLetters(topic: string, deadLetters: DeadLetter[]): Promise<void> {
    await this.send(
      deadLetters.map((deadLetter) => ({
        topic,
        key: `${deadLetter.source.topic}-${deadLetter.source.partition}`,
        value: JSON.stringify(deadLetter),
        headers: {
          'content-type': 'application/json',
          'dead-letter-reason': deadLetter.reason.code,
          // Says so without parsing the value: the original value in this dead letter is only a prefix.
          ...(deadLetter.originalValueCut ? { 'dead-letter-value-cut': 'true' } : {}),
        },
      })),
    );
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }
}
