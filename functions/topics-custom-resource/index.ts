/**
 * Kafka topics custom resource (CloudFormation Provider framework onEvent handler): bootstrap brokers from MSK's
 * GetBootstrapBrokers (the SASL/IAM string), then the kafkajs admin client with IAM auth (see ./topics.ts for
 * the rules). Also returns the bootstrap brokers, which the stack hands to the handlers.
 */

import { Logger } from '@aws-lambda-powertools/logger';
import { GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { Kafka } from 'kafkajs';
import { kafkaConfig } from '../shared/kafka/producer.ts';
import { runtimeEnvironment } from '../shared/settings.ts';
import { handleTopicsEvent, type TopicAdmin, type TopicsDependencies } from './topics.ts';

const logger = new Logger({ serviceName: 'horton-topics-custom-resource' });
const kafkaApi = new KafkaClient({});

export async function bootstrapBrokersOf(clusterArn: string): Promise<string[]> {
  const response = await kafkaApi.send(new GetBootstrapBrokersCommand({ ClusterArn: clusterArn }));
  const brokers = response.BootstrapBrokerStringSaslIam;
  if (!brokers) {
    throw new Error(
      `Cluster ${clusterArn} has no SASL/IAM bootstrap brokers: enable IAM access control on it`,
    );
  }
  return brokers.split(',');
}

const dependencies: TopicsDependencies = {
  resolveBrokers: bootstrapBrokersOf,
  createAdmin: (brokers): TopicAdmin => {
    const { region } = runtimeEnvironment();
    return new Kafka(
      kafkaConfig({
        brokers,
        auth: 'iam',
        clientId: 'horton-topics-custom-resource',
        ...(region ? { region } : {}),
      }),
    ).admin();
  },
  log: (message, details) => logger.info(message, details ?? {}),
};

export async function handler(event: CloudFormationCustomResourceEvent) {
  logger.info('event', { requestType: event.RequestType, logicalResourceId: event.LogicalResourceId });
  return handleTopicsEvent(event, dependencies);
}
