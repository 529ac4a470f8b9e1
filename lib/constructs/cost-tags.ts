/**
 * Cost-allocation tags on every taggable resource of a Horton deployment, so its bill can be told apart (Cost
 * Explorer, AWS Budgets). Activate the keys once per payer account (Billing console, Cost allocation tags) before
 * they show in billing data.
 */
import { Tags } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** The tag that names the deployment (its prefix): what the optional AWS Budgets budget filters on. */
export const DEPLOYMENT_TAG = 'horton-deployment';

/** Every cost-allocation tag of a deployment. */
export function costTags(prefix: string): Record<string, string> {
  return { project: 'horton', [DEPLOYMENT_TAG]: prefix };
}

/** Tags `scope` and everything under it (an app or a stack). */
export function applyCostTags(scope: IConstruct, prefix: string): void {
  for (const [key, value] of Object.entries(costTags(prefix))) Tags.of(scope).add(key, value);
}
