/**
 * Kafka producer for handlers: one client per execution environment (module scope in each handler), connected
 * lazily on first publish and kept connected across invocations.
 *
 * In AWS the cluster uses IAM access control: SASL/OAUTHBEARER with a token signed by the function's role
 * (aws-msk-iam-sasl-signer-js) over TLS. Locally the broker listens in plaintext on loopback.
 */
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
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
      oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
    },
  };
}

export function connectionFromEnv(clientId: string): KafkaConnection {
  const brokers = (process.env.KAFKA_BOOTSTRAP_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '');
  if (brokers.length === 0)
    throw new Error('Environment variable KAFKA_BOOTSTRAP_BROKERS is required but not set');
  const auth = (process.env.KAFKA_AUTH ?? 'iam') as KafkaAuth;
  if (auth !== 'iam' && auth !== 'none') throw new Error(`KAFKA_AUTH must be "iam" or "none", got "${auth}"`);
  const region = process.env.AWS_REGION;
  return { brokers, auth, clientId, ...(region ? { region } : {}) };
}

export interface OutgoingMessage {
  topic: string;
  /** @default the partitioner's choice for the key */
  partition?: number;
  key: string;
  value: string;
  headers?: Record<string, string>;
}

/** Publishes commands and dead letters; waits for all in-sync replicas (acks=-1) before returning. */
export class Publisher {
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;

  constructor(private readonly kafka: Kafka) {}

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

  async send(messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const producer = await this.connected();
    const byTopic = new Map<string, OutgoingMessage[]>();
    for (const message of messages) {
      byTopic.set(message.topic, [...(byTopic.get(message.topic) ?? []), message]);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic.entries()].map(([topic, topicMessages]) => ({
        topic,
        messages: topicMessages.map((m) => ({
          key: m.key,
          value: m.value,
          headers: m.headers ?? {},
          ...(m.partition === undefined ? {} : { partition: m.partition }),
        })),
      })),
    });
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
        headers: { 'content-type': 'application/json', 'dead-letter-reason': deadLetter.reason.code },
      })),
    );
  }

  async disconnect(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }
}
