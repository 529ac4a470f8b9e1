/**
 * Shared helpers of the CDK tests (test/unit/cdk-*.test.ts): synthesize the Horton stack without AWS or Docker,
 * and read a template the way a reviewer would (intrinsics evaluated to ARNs, statements per role).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { HortonStack, type HortonStackProps, PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { type HortonConfig, resolveConfig } from '../../model/config.ts';

/** The feature flags of cdk.json, so the tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** The ARN the tests give the cluster the stack creates (its GetAtt is replaced by this when evaluating). */
export const CREATED_CLUSTER_ARN =
  'arn:aws:kafka:us-east-1:111122223333:cluster/horton-kafka/11111111-2222-3333-4444-555555555555-s1';

export interface Synthesized {
  app: App;
  stack: HortonStack;
  template: Template;
  config: HortonConfig;
}

export interface SynthOptions {
  /** Run esbuild for every function (slow, ~15 s); otherwise bundling is skipped. @default false */
  bundle?: boolean;
  /** Cloud assembly directory (only meaningful with `bundle`). */
  outdir?: string;
  config?: unknown;
  props?: Omit<HortonStackProps, 'config'>;
}

export function synthHorton(options: SynthOptions = {}): Synthesized {
  const app = new App({
    ...(options.outdir ? { outdir: options.outdir } : {}),
    // An empty list skips bundling: the template is the same, only the asset contents are missing.
    // With bundling, record each function's asset directory in its metadata (as the CDK CLI does).
    context: {
      ...CDK_JSON_CONTEXT,
      ...(options.bundle ? { 'aws:cdk:enable-asset-metadata': true } : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const config = resolveConfig(options.config ?? {});
  const stack = new HortonStack(app, 'Horton', { config, ...options.props });
  return { app, stack, template: Template.fromStack(stack), config };
}

type Json = unknown;

/**
 * Evaluates the intrinsics CDK emits here (Ref, Fn::GetAtt, Fn::Join, Fn::Split, Fn::Select, Fn::Sub without
 * variables) to plain strings. `Ref`s and `GetAtt`s become `<LogicalId>` / `<LogicalId.Attr>` unless `values`
 * names them (e.g. the cluster ARN), so assertions can compare whole ARNs.
 */
export function evaluate(value: Json, values: Record<string, string> = {}): Json {
  if (Array.isArray(value)) return value.map((item) => evaluate(item, values));
  if (value === null || typeof value !== 'object') return value;
  const object = value as Record<string, Json>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = object[key];
    if (key === 'Ref') {
      const name = argument as string;
      return values[name] ?? (name === 'AWS::Partition' ? 'aws' : `<${name}>`);
    }
    if (key === 'Fn::GetAtt') {
      const [resource, attribute] = argument as [string, string];
      return values[`${resource}.${attribute}`] ?? `<${resource}.${attribute}>`;
    }
    if (key === 'Fn::Join') {
      const [separator, parts] = argument as [string, Json[]];
      return (evaluate(parts, values) as Json[]).map(String).join(separator);
    }
    if (key === 'Fn::Split') {
      const [separator, source] = argument as [string, Json];
      return String(evaluate(source, values)).split(separator);
    }
    if (key === 'Fn::Select') {
      const [index, list] = argument as [number, Json];
      return (evaluate(list, values) as Json[])[Number(index)];
    }
  }
  return Object.fromEntries(keys.map((key) => [key, evaluate(object[key], values)]));
}

export interface Statement {
  actions: string[];
  resources: string[];
}

function asList<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Allow statements of every policy attached to the role whose logical id starts with `rolePrefix`. */
export function statementsOfRole(
  template: Template,
  rolePrefix: string,
  values: Record<string, string> = {},
): Statement[] {
  const roles = Object.keys(template.findResources('AWS::IAM::Role')).filter((id) =>
    id.startsWith(rolePrefix),
  );
  if (roles.length !== 1)
    throw new Error(`expected one role starting with ${rolePrefix}, found ${roles.join(',')}`);
  const [role] = roles as [string];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    asList((policy as { Properties: { Roles: Json[] } }).Properties.Roles).some(
      (ref) => (ref as { Ref?: string }).Ref === role,
    ),
  );
  return policies.flatMap((policy) =>
    asList(
      (policy as { Properties: { PolicyDocument: { Statement: Json[] } } }).Properties.PolicyDocument
        .Statement,
    ).map((raw) => {
      const statement = evaluate(raw, values) as { Effect: string; Action: string[]; Resource: string[] };
      if (statement.Effect !== 'Allow') throw new Error('unexpected Deny statement');
      return { actions: asList(statement.Action).sort(), resources: asList(statement.Resource).map(String) };
    }),
  );
}

/** Every (action, resource) pair a role is allowed, as `action on resource` strings, sorted. */
export function permissionsOfRole(
  template: Template,
  rolePrefix: string,
  values: Record<string, string> = {},
): string[] {
  return statementsOfRole(template, rolePrefix, values)
    .flatMap((statement) =>
      statement.actions.flatMap((action) =>
        statement.resources.map((resource) => `${action} on ${resource}`),
      ),
    )
    .sort();
}

/** Logical id of the one resource of `type` whose logical id starts with `prefix`. */
export function logicalIdOf(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1)
    throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(',')}`);
  return ids[0] as string;
}

/** Properties of the one resource of `type` whose logical id starts with `prefix`. */
export function propertiesOf(template: Template, type: string, prefix: string): Record<string, Json> {
  const id = logicalIdOf(template, type, prefix);
  return (template.findResources(type)[id] as { Properties: Record<string, Json> }).Properties;
}

/**
 * Timeout of a hook that synthesizes: a synthesis takes a few seconds alone, several times that on a loaded
 * machine (CI shares its cores).
 */
export const SYNTH_TIMEOUT_MS = 120_000;
