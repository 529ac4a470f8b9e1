#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { HortonStack } from '../lib/horton-stack.ts';

const app = new App();
new HortonStack(app, 'Horton', {
  description: 'Horton: AlphaVantage -> Amazon MSK -> Lambda -> DynamoDB market-data pipeline',
});
