/**
 * CloudFormation events for the Kafka topics custom resource (Custom::HortonKafkaTopics), as CloudFormation
 * sends them to functions/topics-custom-resource: shared by its unit test (in-memory admin) and its
 * integration test (the real local broker), so both drive the handler with the same event shape.
 */
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';

export interface TopicsEventOptions {
  clusterArn: string;
  /** As CloudFormation hands it over: a string. @default 'false' */
  deleteTopicsOnRemove?: string;
  /** @default 'request' */
  requestId?: string;
}

export function topicsResourceEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  topics: Array<[string, number] | [string, number, Record<string, string>]>,
  { clusterArn, deleteTopicsOnRemove = 'false', requestId = 'request' }: TopicsEventOptions,
): CloudFormationCustomResourceEvent {
  const common = {
    ServiceToken: 'token',
    ResponseURL: 'https://example.invalid',
    StackId: 'stack',
    RequestId: requestId,
    LogicalResourceId: 'Topics',
    ResourceType: 'Custom::HortonKafkaTopics',
    ResourceProperties: {
      ServiceToken: 'token',
      ClusterArn: clusterArn,
      // CloudFormation hands numbers to custom resources as strings.
      Topics: topics.map(([Name, Partitions, Config]) => ({
        Name,
        Partitions: String(Partitions),
        ...(Config ? { Config } : {}),
      })),
      DeleteTopicsOnRemove: deleteTopicsOnRemove,
    },
  };
  const physical = `kafka-topics:${clusterArn}`;
  if (requestType === 'Create') return { ...common, RequestType: 'Create' };
  if (requestType === 'Update')
    return {
      ...common,
      RequestType: 'Update',
      PhysicalResourceId: physical,
      OldResourceProperties: { ServiceToken: 'token' },
    };
  return { ...common, RequestType: 'Delete', PhysicalResourceId: physical };
}
