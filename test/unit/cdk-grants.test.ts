/**
 * Least privilege on DynamoDB, checked against the code that runs: the DynamoDB actions each handler's calls
 * into functions/shared/store/* send are derived from the sources, and must equal both the per-table actions of
 * model/handlers.ts and what the synthesized template grants the function's role. A store call added without its
 * grant (or a grant nothing uses) fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../lib/horton-stack.ts';
import type { TableRole } from '../../model/config.ts';
import {
  ALPHAVANTAGE_QUOTA_ACTIONS,
  HANDLER_NAMES,
  HANDLERS,
  type HandlerName,
} from '../../model/handlers.ts';
import { logicalIdOf, permissionsOfRole, SYNTH_TIMEOUT_MS, synthHorton } from './cdk-helpers.ts';

const STORE_DIR = path.join(PROJECT_ROOT, 'functions', 'shared', 'store');

/** The IAM action each lib-dynamodb command (or paginator) is authorised as. */
const ACTION_OF: Record<string, string[]> = {
  GetCommand: ['GetItem'],
  PutCommand: ['PutItem'],
  UpdateCommand: ['UpdateItem'],
  DeleteCommand: ['DeleteItem'],
  QueryCommand: ['Query'],
  ScanCommand: ['Scan'],
  BatchWriteCommand: ['BatchWriteItem'],
  paginateQuery: ['Query'],
  paginateScan: ['Scan'],
};

/** TransactWriteItems is authorised per item: Put -> PutItem, Update -> UpdateItem, ... */
const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/** Exported store function -> the DynamoDB actions its body (and the store functions it calls) send. */
function storeFunctionActions(): Map<string, Set<string>> {
  const bodies = new Map<string, string>();
  for (const file of readdirSync(STORE_DIR).filter((name) => name.endsWith('.ts'))) {
    const source = readFileSync(path.join(STORE_DIR, file), 'utf8');
    const starts = [...source.matchAll(/export async function (\w+)/g)];
    starts.forEach((match, index) => {
      const end = starts[index + 1]?.index ?? source.length;
      bodies.set(match[1] as string, source.slice(match.index, end));
    });
  }
  const direct = new Map<string, Set<string>>();
  for (const [name, body] of bodies) {
    const actions = new Set<string>();
    for (const match of body.matchAll(/new (\w+Command)\(|(paginate\w+)\(/g)) {
      const sdk = (match[1] ?? match[2]) as string;
      if (sdk === 'TransactWriteCommand') {
        for (const [item, action] of Object.entries(TRANSACT_ITEM_ACTIONS)) {
          if (new RegExp(`\\b${item}: \\{`).test(body)) actions.add(action);
        }
      } else {
        const mapped = ACTION_OF[sdk];
        if (!mapped) throw new Error(`${name}: no IAM action known for ${sdk}; add it to ACTION_OF`);
        for (const action of mapped) actions.add(action);
      }
    }
    direct.set(name, actions);
  }
  // Store functions calling store functions (putDailyBars -> putAll -> BatchWriteItem).
  const resolved = new Map<string, Set<string>>();
  const resolve = (name: string): Set<string> => {
    const known = resolved.get(name);
    if (known) return known;
    const actions = new Set(direct.get(name));
    for (const other of bodies.keys()) {
      if (other !== name && new RegExp(`\\b${other}\\(`).test(bodies.get(name) as string)) {
        for (const action of resolve(other)) actions.add(action);
      }
    }
    resolved.set(name, actions);
    return actions;
  };
  for (const name of bodies.keys()) resolve(name);
  return resolved;
}

/**
 * Table role -> actions, from a handler's index.ts: its table names out of the settings
 * (`const x = settings.tables.<role>` or `const { <role>: x } = settings.tables`) and `storeFn(doc, x`, or
 * `storeFn(doc, settings.tables.<role>` directly.
 */
function handlerTableActions(name: HandlerName, store: Map<string, Set<string>>): Record<string, string[]> {
  const source = readFileSync(path.join(PROJECT_ROOT, HANDLERS[name].entry), 'utf8');
  const tableOf = new Map(
    [...source.matchAll(/const (\w+) = settings\.tables\.(\w+);/g)].map((m) => [m[1], m[2]]),
  );
  for (const [, names] of source.matchAll(/const \{([^}]*)\} = settings\.tables;/g)) {
    for (const entry of (names as string).split(',')) {
      const [role, variable = role] = entry.split(':').map((part) => part.trim());
      if (role) tableOf.set(variable as string, role);
    }
  }
  const actions: Record<string, Set<string>> = {};
  for (const [, fn, variable] of source.matchAll(/\b(\w+)(?:<[^>]*>)?\(\s*doc,\s*([\w.]+)/g)) {
    const role = (variable as string).startsWith('settings.tables.')
      ? (variable as string).slice('settings.tables.'.length)
      : tableOf.get(variable as string);
    const used = store.get(fn as string);
    if (!role || !used) continue;
    actions[role] ??= new Set();
    for (const action of used) actions[role].add(action);
  }
  return Object.fromEntries(Object.entries(actions).map(([role, set]) => [role, [...set].sort()]));
}

/**
 * What the AlphaVantage limiter sends to its quota table (functions/shared/store/alphavantage-quota.ts, built by
 * functions/shared/clients.ts for every handler that calls AlphaVantage, not by the handler's index.ts).
 */
function limiterActions(): string[] {
  const source = readFileSync(path.join(STORE_DIR, 'alphavantage-quota.ts'), 'utf8');
  const actions = new Set<string>();
  for (const [, sdk] of source.matchAll(/new (\w+Command)\(/g)) {
    const mapped = ACTION_OF[sdk as string];
    if (!mapped) throw new Error(`alphavantage-quota.ts: no IAM action known for ${sdk}`);
    for (const action of mapped) actions.add(action);
  }
  return [...actions].sort();
}

/** A handler's table actions: its store calls, plus the limiter's on the quota table where it calls AlphaVantage. */
function expectedGrants(name: HandlerName): Record<string, string[]> {
  return {
    ...handlerTableActions(name, store),
    ...(HANDLERS[name].callsAlphaVantage ? { alphaVantageQuota: limiterActions() } : {}),
  };
}

let template: Template;
let tableRoleOfArn: Map<string, string>;
const store = storeFunctionActions();

beforeAll(() => {
  const synthesized = synthHorton();
  template = synthesized.template;
  tableRoleOfArn = new Map(
    Object.keys(synthesized.stack.tables.tables).map((role) => [
      `<${logicalIdOf(template, 'AWS::DynamoDB::Table', `Tables${role}`)}.Arn>`,
      role,
    ]),
  );
}, SYNTH_TIMEOUT_MS);

describe('DynamoDB grants follow the store calls', () => {
  it('the quota grant of model/handlers.ts is exactly what the limiter sends', () => {
    expect([...ALPHAVANTAGE_QUOTA_ACTIONS].sort()).toEqual(limiterActions());
    expect(limiterActions()).toEqual(['GetItem', 'UpdateItem']);
  });

  it('reads the store modules: every store function sends something, putAll batches', () => {
    expect(store.get('putAll')).toEqual(new Set(['BatchWriteItem']));
    // A transaction of Puts that may also Delete the staged parts; a plain Delete when the write was stale.
    expect(store.get('putFundamentals')).toEqual(new Set(['PutItem', 'DeleteItem']));
    expect(store.get('getYearlyExtremes')).toEqual(new Set(['Query']));
    for (const [name, actions] of store) expect(actions.size, name).toBeGreaterThan(0);
  });

  it.each(HANDLER_NAMES)('%s: model/handlers.ts lists exactly the actions its store calls send', (name) => {
    const declared = Object.fromEntries(
      Object.entries(HANDLERS[name].tables as Partial<Record<TableRole, readonly string[]>>).map(
        ([role, actions]) => [role, [...(actions ?? [])].sort()],
      ),
    );
    expect(declared).toEqual(handlerTableActions(name, store));
  });

  it.each(HANDLER_NAMES)('%s: its role is granted exactly those actions on exactly those tables', (name) => {
    const granted: Record<string, string[]> = {};
    for (const permission of permissionsOfRole(template, `Handlers${name}Role`)) {
      const [action, resource] = permission.split(' on ') as [string, string];
      if (!action.startsWith('dynamodb:')) continue;
      const role = tableRoleOfArn.get(resource);
      if (!role) throw new Error(`${name} is granted ${action} on ${resource}, which is not a Horton table`);
      granted[role] = [...(granted[role] ?? []), action.replace('dynamodb:', '')];
    }
    for (const actions of Object.values(granted)) actions.sort();
    expect(granted).toEqual(expectedGrants(name));
  });
});
