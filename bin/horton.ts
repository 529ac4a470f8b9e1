#!/usr/bin/env node
/**
 * The CDK app: context -> configuration (lib/context.ts documents every key) -> the Horton stack, checked by
 * cdk-nag (AwsSolutions + Serverless packs) unless `-c nag=false`.
 */
import { readFileSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { applyCostTags } from '../lib/constructs/cost-tags.ts';
import { ContextError, type HortonContext, parseHortonContext } from '../lib/context.ts';
import { HortonStack } from '../lib/horton-stack.ts';
import { ConfigError } from '../model/config.ts';
import { planRefusal } from './plan-report.ts';

const app = new App();

/** Bad context or configuration: the reason on stderr, no stack trace (unless --debug), exit code 2. */
function readContext(): HortonContext {
  try {
    return parseHortonContext(
      (key) => app.node.tryGetContext(key),
      (file) => readFileSync(file, 'utf8'),
    );
  } catch (error) {
    if (!(error instanceof ContextError || error instanceof ConfigError)) throw error;
    if (process.argv.includes('--debug') || app.node.tryGetContext('debug')) console.error(error);
    else console.error(`horton: ${error.message}`);
    process.exit(2);
  }
}
const context = readContext();

// Refused before anything is synthesized: deployed as is, the daily quota would run out and commands dead-letter.
const refusal = planRefusal(context.config);
if (refusal) {
  process.stderr.write(`${refusal}\n`);
  process.exit(2);
}

// Only a VPC lookup needs a concrete account and region; everything else synthesizes environment-agnostic.
const lookupEnv =
  context.vpc && !context.vpc.privateSubnetIds
    ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
    : undefined;

new HortonStack(app, 'Horton', {
  description: 'Horton: AlphaVantage -> Amazon MSK -> Lambda -> DynamoDB market-data pipeline',
  config: context.config,
  ...(lookupEnv ? { env: lookupEnv } : {}),
  ...(context.vpc ? { vpc: context.vpc } : {}),
  ...(context.cluster ? { cluster: context.cluster } : {}),
  deleteTopicsOnRemove: context.deleteTopicsOnRemove,
  ...(context.alarmEmail ? { alarmEmail: context.alarmEmail } : {}),
  ...(context.alarmTopicArn ? { alarmTopicArn: context.alarmTopicArn } : {}),
  ...(context.monthlyBudgetUsd !== undefined ? { monthlyBudgetUsd: context.monthlyBudgetUsd } : {}),
});
// Cost-allocation tags on everything the app holds (the stack tags its own resources too, for other entry points).
applyCostTags(app, context.config.prefix);

if (context.nag) {
  Validations.of(app).addPlugins(
    new AwsSolutionsChecks(app, { verbose: true }),
    new ServerlessChecks(app, { verbose: true }),
  );
}
