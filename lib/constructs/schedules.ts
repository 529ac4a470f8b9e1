/**
 * EventBridge Scheduler schedules from config.schedules (all disabled until config.deployment.apiKeySet), each
 * invoking the dispatcher with
 * `{ job, schedule, scheduledTime }` (scheduledTime = the firing's `<aws.scheduler.scheduled-time>`, so retries of
 * one firing carry the same time and the dispatcher derives the same command id).
 *
 * A firing is lost in two ways, and both end in one encrypted SQS queue: Scheduler cannot invoke the function
 * (its retry policy runs out: target dead-letter queue), or the function fails on every async attempt (Lambda's
 * on-failure destination).
 */
import {
  Annotations,
  Duration,
  aws_lambda_destinations as destinations,
  aws_iam as iam,
  RemovalPolicy,
  Stack,
  aws_sqs as sqs,
  TimeZone,
  Validations,
} from 'aws-cdk-lib';
import {
  ContextAttribute,
  Schedule,
  ScheduleExpression,
  ScheduleGroup,
  ScheduleTargetInput,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { HortonConfig } from '../../model/config.ts';
import type { HortonFunction } from './horton-function.ts';
import { invokeAllVersionsFinding } from './nag.ts';
import { stackInstanceSuffix } from './physical-names.ts';

export interface HortonSchedulesProps {
  readonly config: HortonConfig;
  /** The function every schedule invokes. */
  readonly dispatcher: HortonFunction;
  /**
   * Scheduler's attempts to invoke the dispatcher after the first one fails.
   * @default 3
   */
  readonly retryAttempts?: number;
  /**
   * How long Scheduler keeps trying one firing (a quote firing is stale after its interval).
   * @default Duration.minutes(15)
   */
  readonly maxEventAge?: Duration;
  /**
   * Lambda's async retries of a failing dispatcher invocation.
   * @default 2
   */
  readonly asyncRetryAttempts?: number;
}

export class HortonSchedules extends Construct {
  readonly group: ScheduleGroup;
  readonly schedules: Schedule[];
  /** Firings that never reached, or failed in, the dispatcher. */
  readonly failureQueue: sqs.Queue;
  readonly schedulerRole: iam.Role;

  constructor(scope: Construct, id: string, props: HortonSchedulesProps) {
    super(scope, id);
    const maxEventAge = props.maxEventAge ?? Duration.minutes(15);
    this.failureQueue = this.createFailureQueue();
    this.routeDispatcherFailures(props, maxEventAge);
    // Unique per stack instance and deleted with the stack: it holds nothing but the schedules.
    this.group = new ScheduleGroup(this, 'Group', {
      scheduleGroupName: `${props.config.prefix}-${stackInstanceSuffix(this)}`,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.schedulerRole = this.createSchedulerRole(props.dispatcher);
    this.schedules = this.createSchedules(props, maxEventAge);
  }

  /** The one queue where lost firings end, whichever way they were lost. */
  private createFailureQueue(): sqs.Queue {
    // No fixed name: SQS refuses a queue name for 60 s after its deletion, so a fixed name would make a deploy
    // right after `cdk destroy` fail. The ScheduleFailureQueueUrl output names it.
    const queue = new sqs.Queue(this, 'FailureQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(queue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: 'This queue is itself the dead-letter queue of the schedules and of the dispatcher.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'This queue is itself the dead-letter queue of the schedules and of the dispatcher.',
      },
    );
    return queue;
  }

  /** A dispatcher invocation that fails on every async attempt goes to the failure queue. */
  private routeDispatcherFailures(props: HortonSchedulesProps, maxEventAge: Duration): void {
    props.dispatcher.function.configureAsyncInvoke({
      onFailure: new destinations.SqsDestination(this.failureQueue),
      retryAttempts: props.asyncRetryAttempts ?? 2,
      maxEventAge,
    });

    Validations.of(props.dispatcher.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Async failures go to the on-failure destination (this queue, via EventInvokeConfig), which keeps the ' +
        'request and the error; a DeadLetterConfig would duplicate it with less context.',
    });
  }

  private createSchedulerRole(dispatcher: HortonFunction): iam.Role {
    // One role for every schedule: invoke the dispatcher, send to the failure queue. Only Scheduler acting for
    // this account's schedule group may assume it (confused-deputy guard, as CDK's own default role does):
    // https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
    const account = Stack.of(this).account;
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': this.group.scheduleGroupArn },
        },
      }),
      description: 'EventBridge Scheduler: invoke the Horton dispatcher',
    });
    Validations.of(role).acknowledge({
      id: invokeAllVersionsFinding(dispatcher.function),
      reason:
        'The LambdaInvoke target grants lambda:InvokeFunction on the dispatcher and its versions (ARN:*); ' +
        'nothing broader.',
    });
    return role;
  }

  /** One schedule per configured one, each invoking the dispatcher with its job, name and firing time. */
  private createSchedules(props: HortonSchedulesProps, maxEventAge: Duration): Schedule[] {
    const { config } = props;
    // Until the operator has put the AlphaVantage key in the secret, a firing could only fail on the
    // placeholder: every schedule stays disabled until config.deployment.apiKeySet.
    const keySet = config.deployment.apiKeySet;
    if (!keySet && config.schedules.some((schedule) => schedule.enabled)) {
      Annotations.of(this).addWarningV2(
        'horton:schedules-disabled-until-key-set',
        'Schedules are deployed DISABLED: put the AlphaVantage key in the secret (AlphaVantageSecretArn ' +
          'output), then deploy again with -c apiKeySet=true (or deployment.apiKeySet in the configuration).',
      );
    }
    return config.schedules.map(
      (schedule) =>
        new Schedule(this, schedule.name, {
          scheduleName: `${config.prefix}-${schedule.name}`,
          scheduleGroup: this.group,
          description: `Horton: ${schedule.job} collection (${schedule.expression} ${schedule.timezone})`,
          schedule: ScheduleExpression.expression(schedule.expression, TimeZone.of(schedule.timezone)),
          enabled: schedule.enabled && keySet,
          timeWindow: TimeWindow.off(),
          target: new LambdaInvoke(props.dispatcher.function, {
            input: ScheduleTargetInput.fromObject({
              job: schedule.job,
              schedule: schedule.name,
              scheduledTime: ContextAttribute.scheduledTime,
            }),
            deadLetterQueue: this.failureQueue,
            role: this.schedulerRole,
            retryAttempts: props.retryAttempts ?? 3,
            maxEventAge,
          }),
        }),
    );
  }
}
