/**
 * Where every alarm goes: the alarm topic (new, or an existing one given by ARN) and the factory that creates an
 * alarm with that topic as its action. Alarms default to missing data = not breaching: each alarm that wants
 * otherwise says why.
 *
 * The topic and every alarm are created directly in the monitoring construct's scope, never in a child: their
 * names are fixed (`<prefix>-alarms`, `<prefix>-<handler>-<alarm>`), and a moved logical id makes CloudFormation
 * create the "new" resource (which, under the same name, is the old one) and then delete the old one by name.
 */
import {
  aws_cloudwatch_actions as actions,
  aws_cloudwatch as cloudwatch,
  aws_iam as iam,
  Stack,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  Validations,
} from 'aws-cdk-lib';
import type { Construct } from 'constructs';

export interface AlarmSinkProps {
  readonly prefix: string;
  /**
   * E-mail address subscribed to a new alarm topic (the recipient must confirm the subscription).
   * @default - none
   */
  readonly alarmEmail?: string;
  /**
   * An existing SNS topic for the alarms (a pager, chat or ticket integration); no topic is created.
   * @default - a new topic `<prefix>-alarms`
   */
  readonly alarmTopicArn?: string;
}

export class AlarmSink {
  readonly topic: sns.ITopic;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly action: actions.SnsAction;

  /** @param scope where the topic and the alarms are created (the monitoring construct) */
  constructor(
    private readonly scope: Construct,
    props: AlarmSinkProps,
  ) {
    this.topic = props.alarmTopicArn
      ? sns.Topic.fromTopicArn(scope, 'AlarmTopic', props.alarmTopicArn)
      : this.createTopic(props.prefix);
    if (props.alarmEmail) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    this.action = new actions.SnsAction(this.topic);
  }

  /** An alarm that notifies the topic. */
  alarm(id: string, options: cloudwatch.CreateAlarmOptions, metric: cloudwatch.IMetric): cloudwatch.Alarm {
    const created = new cloudwatch.Alarm(this.scope, id, {
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      ...options,
      metric,
    });
    created.addAlarmAction(this.action);
    this.alarms.push(created);
    return created;
  }

  private createTopic(prefix: string): sns.Topic {
    const topic = new sns.Topic(this.scope, 'AlarmTopic', {
      topicName: `${prefix}-alarms`,
      enforceSSL: true,
    });
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed SNS key, and alarm ' +
        'notifications carry no sensitive data; a customer managed key would only add cost.',
    });
    // AWS Budgets notifies through the same topic (cost-budget.ts), only for this account.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        principals: [new iam.ServicePrincipal('budgets.amazonaws.com')],
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this.scope).account } },
      }),
    );
    return topic;
  }
}
