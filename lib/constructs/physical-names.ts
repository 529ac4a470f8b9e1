/**
 * Physical names of the resources a stack keeps after `cdk destroy` (tables, the API key secret). They carry
 * the prefix and a suffix unique to the stack instance, so a stack created again after a destroy never collides
 * with what the old one retained (docs/decisions/0071-stack-unique-names.md).
 */
import { Fn, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * The first eight hex digits of the stack's UUID (`AWS::StackId` ends in `/<uuid>`): fixed for the life of the
 * stack, new when the stack is created again.
 */
export function stackInstanceSuffix(scope: IConstruct): string {
  const stackId = Stack.of(scope).stackId;
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', stackId))));
}
