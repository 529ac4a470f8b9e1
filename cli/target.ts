/**
 * Where the CLI's commands go: a local pipeline served by `npm start -- --serve` (found through its session file
 * in the state dir), or a deployed stack (found through its CloudFormation outputs). Either way the CLI talks AWS
 * APIs: Lambda Invoke for backfill and the operations function, DynamoDB for stored data; only the endpoints and
 * credentials differ.
 */
import path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Deployment, OperationsRequest } from '../model/operations.ts';
import { CliError, EXIT } from './errors.ts';

export interface TargetOptions {
  local?: boolean;
  stack?: string;
  region?: string;
}

export interface Target {
  /** Human description, e.g. `local pipeline (pid 123, .horton/local)` or `stack Horton in eu-west-1`. */
  label(): Promise<string>;
  /** DynamoDB document client of the target. */
  doc(): Promise<DynamoDBDocumentClient>;
  invokeBackfill(request: unknown): Promise<unknown>;
  operate<T>(request: OperationsRequest): Promise<T>;
  deployment(): Promise<Deployment>;
  /** True when AlphaVantage is the local simulator: the stored data is made up. */
  simulated(): Promise<boolean>;
  /** Where handler logs are: a local log dir, or CloudWatch Logs of the deployed functions. */
  logs(): Promise<{ dir: string } | { client: CloudWatchLogsClient }>;
  close(): void;
}

/** Said wherever data from the simulator is shown. */
export const SIMULATED_NOTE =
  'simulated data: AlphaVantage is the local simulator here (made-up prices and fundamentals)';

interface Connection {
  label: string;
  simulated: boolean;
  /** Local runs: the runner's per-handler log files. */
  logDir?: string;
  region?: string;
  lambda: LambdaClient;
  dynamo: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  functions: { backfill: string; operations: string };
}

/** The hint every "nothing is running" message ends with. */
export const START_HINT =
  'start one with `npm start -- --serve` in another terminal, or pass --stack <name> --region <region> for a deployed stack';

/** Exit code of a function's error type: a rejected request is a usage error, a missing thing "not found". */
const EXIT_OF_ERROR: Record<string, number> = {
  BackfillRequestError: EXIT.usage,
  OperationsRequestError: EXIT.usage,
  OperationsNotFoundError: EXIT.notFound,
};

async function invoke(lambda: LambdaClient, functionName: string, payload: unknown): Promise<unknown> {
  const response = await lambda.send(
    new InvokeCommand({
      FunctionName: functionName,
      Payload: new TextEncoder().encode(JSON.stringify(payload)),
    }),
  );
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : 'null';
  const body = JSON.parse(text || 'null') as unknown;
  if (response.FunctionError) {
    const failure = (body ?? {}) as { errorType?: string; errorMessage?: string };
    throw new CliError(
      `${functionName}: ${failure.errorMessage ?? 'failed'}`,
      EXIT_OF_ERROR[failure.errorType ?? ''] ?? EXIT.failed,
    );
  }
  return body;
}

/**
 * The target of the options. Connects on first use, so a command validates its arguments (exit 2) before it
 * finds out whether anything runs (exit 3).
 */
export function connect(options: TargetOptions): Target {
  if (options.local && options.stack)
    throw new CliError('--local and --stack exclude each other', EXIT.usage);
  let connection: Promise<Connection> | undefined;
  let deployment: Promise<Deployment> | undefined;
  const open = () => {
    connection ??= options.stack ? connectStack(options.stack, options.region) : connectLocal();
    return connection;
  };
  const target: Target = {
    label: async () => (await open()).label,
    doc: async () => (await open()).doc,
    invokeBackfill: async (request) => {
      const { lambda, functions } = await open();
      return invoke(lambda, functions.backfill, request);
    },
    operate: async <T>(request: OperationsRequest) => {
      const { lambda, functions } = await open();
      return (await invoke(lambda, functions.operations, request)) as T;
    },
    deployment: () => {
      deployment ??= target.operate<Deployment>({ action: 'describe' });
      return deployment;
    },
    simulated: async () => (await open()).simulated,
    logs: async () => {
      const { logDir, region } = await open();
      return logDir ? { dir: logDir } : { client: new CloudWatchLogsClient(region ? { region } : {}) };
    },
    close: () => {
      void connection?.then(
        ({ lambda, dynamo }) => {
          lambda.destroy();
          dynamo.destroy();
        },
        () => {},
      );
    },
  };
  return target;
}

function connection(
  fields: Pick<Connection, 'label' | 'simulated' | 'logDir' | 'region' | 'functions' | 'lambda' | 'dynamo'>,
): Connection {
  const doc = DynamoDBDocumentClient.from(fields.dynamo, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return { ...fields, doc };
}

async function connectLocal(): Promise<Connection> {
  const { localSession } = await import('./local-stack.ts');
  const { stateDir, session, credentials } = localSession();
  if (!session) throw new CliError(`no local Horton pipeline is serving: ${START_HINT}`, EXIT.unavailable);
  const common = { region: session.region, credentials };
  return connection({
    label: `local pipeline (pid ${session.pid}, state dir ${stateDir})`,
    simulated: session.simulated === true,
    logDir: session.logDir ?? path.join(stateDir, 'logs', 'handlers'),
    // The local runner answers every invocation within its function timeout; no SDK retries of a long backfill.
    lambda: new LambdaClient({ ...common, endpoint: session.lambdaEndpoint, maxAttempts: 1 }),
    dynamo: new DynamoDBClient({ ...common, endpoint: session.awsEndpoint }),
    functions: session.functions,
  });
}

async function connectStack(stackName: string, region: string | undefined): Promise<Connection> {
  const common = region ? { region } : {};
  const cloudFormation = new CloudFormationClient(common);
  let outputs: Record<string, string>;
  try {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']),
    );
  } catch (error) {
    const message = (error as Error).message;
    throw new CliError(
      `cannot read stack ${stackName}: ${message}`,
      /does not exist/.test(message) ? EXIT.unavailable : EXIT.failed,
    );
  } finally {
    cloudFormation.destroy();
  }
  const backfill = outputs.BackfillFunctionName;
  const operations = outputs.OperationsFunctionName;
  if (!backfill || !operations) {
    throw new CliError(
      `stack ${stackName} has no BackfillFunctionName/OperationsFunctionName outputs: deploy this version of Horton`,
      EXIT.unavailable,
    );
  }
  return connection({
    label: `stack ${stackName}${region ? ` in ${region}` : ''}`,
    simulated: false,
    ...(region ? { region } : {}),
    lambda: new LambdaClient(common),
    dynamo: new DynamoDBClient(common),
    functions: { backfill, operations },
  });
}
