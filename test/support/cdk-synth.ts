/**
 * The two standard CDK syntheses the CDK tests share: the default stack (new VPC, new MSK Serverless cluster) and
 * the stack on an existing cluster and VPC imported from context strings (the `bin/horton.ts` path). The `cdk`
 * project's global setup (test/support/cdk-global-setup.ts) synthesizes each ONCE per run and hands the results
 * (template JSON, configuration, cdk-nag findings and acknowledgements) to every test file, because one synthesis
 * takes seconds on an idle machine and tens of seconds on a loaded one.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { parseHortonContext } from '../../lib/context.ts';
import { HortonStack, type HortonStackProps, PROJECT_ROOT } from '../../lib/horton-stack.ts';
import { type HortonConfig, resolveConfig } from '../../model/config.ts';

/** The feature flags of cdk.json, so the tests synthesize what `cdk synth` does. */
const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

export interface Synthesized {
  app: App;
  stack: HortonStack;
  template: Template;
  config: HortonConfig;
}

export interface SynthOptions {
  /** Run esbuild for every function (slow, ~15 s); otherwise bundling is skipped. @default false */
  bundle?: boolean;
  /**
   * Cloud assembly directory, kept (the caller removes it). Without it the assembly goes to a private temp
   * directory that is removed as soon as the template is read, so no `cdk.out*` folder is left behind.
   */
  outdir?: string;
  config?: unknown;
  props?: Omit<HortonStackProps, 'config'>;
}

/** Synthesizes one Horton stack without AWS credentials or Docker. */
export function synthHorton(options: SynthOptions = {}): Synthesized {
  const outdir = options.outdir ?? mkdtempSync(path.join(os.tmpdir(), 'horton-synth-'));
  try {
    const app = new App({
      outdir,
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
  } finally {
    if (!options.outdir) rmSync(outdir, { recursive: true, force: true });
  }
}

export const IMPORTED_CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/prod-kafka/0a1b2c3d-aaaa-bbbb-cccc-1234567890ab-7';

/** Context strings of the imported variant: existing provisioned cluster and VPC, prefix `hrt`, a custom topic. */
export const IMPORTED_CONTEXT: Record<string, string> = {
  clusterArn: IMPORTED_CLUSTER_ARN,
  clusterType: 'provisioned',
  clusterSecurityGroupId: 'sg-0123456789abcdef0',
  vpcId: 'vpc-0123456789abcdef0',
  vpcAzs: 'eu-west-1a,eu-west-1b',
  privateSubnetIds: 'subnet-aaaa1111,subnet-bbbb2222',
  deleteTopicsOnRemove: 'true',
  horton: JSON.stringify({ prefix: 'hrt', topics: { quote: { name: 'hrt.quote', partitions: 6 } } }),
};

/** The options bin/horton.ts would derive from `IMPORTED_CONTEXT`. */
export function importedSynthOptions(): SynthOptions {
  const context = parseHortonContext(
    (key) => IMPORTED_CONTEXT[key],
    () => {
      throw new Error('no file expected');
    },
  );
  return {
    config: context.config,
    props: {
      ...(context.vpc ? { vpc: context.vpc } : {}),
      ...(context.cluster ? { cluster: context.cluster } : {}),
      deleteTopicsOnRemove: context.deleteTopicsOnRemove,
    },
  };
}

/** cdk-nag findings (AwsSolutions + Serverless packs) in a construct tree, as `rule at construct path`. */
export function nagFindings(scope: IConstruct): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath}`),
      ),
  );
}

export interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

/** Every cdk-nag acknowledgement recorded in a construct tree. */
export function nagAcknowledgements(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id,
          reason,
        })),
      ),
  );
}

/** What a test file receives of one shared synthesis: plain, serialisable data. */
export interface SharedSynthesis {
  template: Record<string, unknown>;
  config: HortonConfig;
  nagFindings: string[];
  nagAcknowledgements: Acknowledgement[];
}

export type StandardStack = 'created' | 'imported';

/** Synthesizes both standard stacks once. */
export function synthesizeStandardStacks(): Record<StandardStack, SharedSynthesis> {
  const share = ({ stack, template, config }: Synthesized): SharedSynthesis => ({
    template: template.toJSON(),
    config,
    nagFindings: nagFindings(stack),
    nagAcknowledgements: nagAcknowledgements(stack),
  });
  return { created: share(synthHorton()), imported: share(synthHorton(importedSynthOptions())) };
}
