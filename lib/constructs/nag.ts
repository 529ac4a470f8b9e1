/**
 * Helpers for acknowledging cdk-nag findings precisely (cdk-nag 3 acknowledges one finding id at a time).
 */
import { type aws_lambda as lambda, Stack } from 'aws-cdk-lib';

/**
 * The AwsSolutions-IAM5 finding of a statement that lets a caller invoke every version and alias of `fn`
 * (`<function ARN>:*`), which CDK adds next to the unqualified ARN whenever it grants lambda:InvokeFunction.
 */
export function invokeAllVersionsFinding(fn: lambda.IFunction): string {
  const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
  return `AwsSolutions-IAM5[Resource::<${Stack.of(fn).getLogicalId(cfnFunction)}.Arn>:*]`;
}
