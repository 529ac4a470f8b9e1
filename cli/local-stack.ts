/**
 * The CLI's one way into the local development stack (localstack/): where `npm start -- --serve` left its session
 * and which services run. Loaded only for the local target (dynamic import), so against a deployed stack the CLI
 * needs nothing but the AWS SDK.
 */

import path from 'node:path';
import { LOCAL_CREDENTIALS } from '../localstack/aws-resources.ts';
import {
  type PipelineClaim,
  readServeSession,
  runningPipelines,
  type ServeSession,
} from '../localstack/serve.ts';
import { localStackStatus, resolveLocalStackOptions, type ServiceStatus } from '../localstack/stack/index.ts';

export interface LocalSession {
  /** The state dir looked in (HORTON_STATE_DIR or `.horton/local`). */
  stateDir: string;
  /** The serving pipeline's session, or undefined when nothing serves there. */
  session: ServeSession | undefined;
  credentials: typeof LOCAL_CREDENTIALS;
}

export function localSession(): LocalSession {
  const { stateDir } = resolveLocalStackOptions();
  return { stateDir, session: readServeSession(stateDir), credentials: LOCAL_CREDENTIALS };
}

/** Pipelines running on this machine under other state dirs (to hint at them when none serves here). */
export function otherPipelines(stateDir: string): PipelineClaim[] {
  return runningPipelines().filter((claim) => claim.stateDir !== path.resolve(stateDir));
}

export function localServices(): Promise<ServiceStatus[]> {
  return localStackStatus();
}

export type { ServiceStatus };
