/**
 * ARNs of the Kafka resources inside an MSK cluster (topics, consumer groups), for least-privilege IAM
 * statements. MSK IAM access control names them after the cluster:
 *
 *   cluster  arn:<partition>:kafka:<region>:<account>:cluster/<clusterName>/<clusterUuid>
 *   topic    arn:<partition>:kafka:<region>:<account>:topic/<clusterName>/<clusterUuid>/<topic>
 *   group    arn:<partition>:kafka:<region>:<account>:group/<clusterName>/<clusterUuid>/<groupId>
 *
 * Works for a literal ARN (an imported cluster, validated here so a typo fails at synth) and for a token (the
 * ARN of the cluster this stack creates, split with Fn::Split/Fn::Select at deploy time). CDK's Fn.split and
 * Fn.select evaluate literals at synth time, so one code path serves both.
 */
import { Fn, Token } from 'aws-cdk-lib';

const CLUSTER_ARN_PATTERN = /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;

export class MskArns {
  /** `arn:<partition>:kafka:<region>:<account>` */
  private readonly prefix: string;
  /** `<clusterName>/<clusterUuid>` */
  private readonly clusterPath: string;

  readonly clusterName: string;
  readonly clusterUuid: string;

  constructor(readonly clusterArn: string) {
    if (!Token.isUnresolved(clusterArn) && !CLUSTER_ARN_PATTERN.test(clusterArn)) {
      throw new Error(
        `"${clusterArn}" is not an MSK cluster ARN (expected arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>)`,
      );
    }
    this.prefix = Fn.select(0, Fn.split(':cluster/', clusterArn));
    const path = Fn.split('/', clusterArn);
    this.clusterName = Fn.select(1, path);
    this.clusterUuid = Fn.select(2, path);
    this.clusterPath = `${this.clusterName}/${this.clusterUuid}`;
  }

  /** ARN of one topic of the cluster. */
  topicArn(topicName: string): string {
    return `${this.prefix}:topic/${this.clusterPath}/${topicName}`;
  }

  /** ARN of one consumer group of the cluster. */
  groupArn(groupId: string): string {
    return `${this.prefix}:group/${this.clusterPath}/${groupId}`;
  }
}
