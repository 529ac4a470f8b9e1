/**
 * The DynamoDB tables of model/tables.ts: on-demand, point-in-time recovery, KMS encryption, deletion protection
 * (configurable), kept on stack delete. Named `<prefix>-<table>-<stack suffix>` (physical-names.ts), so a stack
 * created again after `cdk destroy` does not collide with the tables the old one kept.
 */
import { aws_dynamodb as dynamodb, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { type HortonConfig, type TableRole, tableNames } from '../../model/config.ts';
import { TABLES, type TableSpec } from '../../model/tables.ts';
import { stackInstanceSuffix } from './physical-names.ts';

export interface HortonTablesProps {
  readonly config: HortonConfig;
  /**
   * What happens to the tables (and the collected data) when they leave the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

function attributeType(type: TableSpec['partitionKey']['type']): dynamodb.AttributeType {
  return type === 'N' ? dynamodb.AttributeType.NUMBER : dynamodb.AttributeType.STRING;
}

export class HortonTables extends Construct {
  readonly tables: Record<TableRole, dynamodb.Table>;

  constructor(scope: Construct, id: string, props: HortonTablesProps) {
    super(scope, id);
    const names = tableNames(props.config);
    const suffix = stackInstanceSuffix(this);
    const entries = (Object.keys(TABLES) as TableRole[]).map((role) => {
      const spec = TABLES[role];
      const table = new dynamodb.Table(this, role, {
        tableName: `${names[role]}-${suffix}`,
        partitionKey: { name: spec.partitionKey.name, type: attributeType(spec.partitionKey.type) },
        ...(spec.sortKey
          ? { sortKey: { name: spec.sortKey.name, type: attributeType(spec.sortKey.type) } }
          : {}),
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
        encryption: dynamodb.TableEncryption.AWS_MANAGED,
        removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
        ...(spec.timeToLiveAttribute ? { timeToLiveAttribute: spec.timeToLiveAttribute } : {}),
        deletionProtection: props.config.deployment.tableDeletionProtection,
      });
      return [role, table] as const;
    });
    this.tables = Object.fromEntries(entries) as Record<TableRole, dynamodb.Table>;
  }
}
