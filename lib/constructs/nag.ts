/**
 * Helpers for acknowledging cdk-nag findings precisely (cdk-nag 3 acknowledges one finding id at a time).
 */
import { type aws_lambda as lambda, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The AwsSolutions-IAM5 finding of a statement that lets a caller invoke every version and alias of `fn`
 * (`<function ARN>:*`), which CDK adds next to the unqualified ARN whenever it grants lambda:InvokeFunction.
 */
export function invokeAllVersionsFinding(fn: lambda.IFunction): string {
  const cfnFunction = fn.node.defaultChild as lambda.CfnFunction;
  return `AwsSolutions-IAM5[Resource::<${Stack.of(fn).getLogicalId(cfnFunction)}.Arn>:*]`;
}

/**
 * The AwsSolutions-IAM5 finding of a wildcard resource, as cdk-nag spells it: the resolved ARN with each
 * intrinsic of an `Fn::Join` written as JSON (a literal ARN stays as it is).
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  const resolved = Stack.of(scope).resolve(resource) as unknown;
  const join = (resolved as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  const text = join
    ? join[1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(join[0])
    : String(resolved);
  return `AwsSolutions-IAM5[Resource::${text}]`;
}
