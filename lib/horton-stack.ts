import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * The Horton pipeline stack. The cloud resources (network, MSK, topics, tables, functions, schedules)
 * arrive with the cloud issue; until then the stack synthesizes empty so `npm run synth` is exercised.
 */
export class HortonStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
  }
}
