import type { CallTrace } from './call-trace';
import type { Clients } from './clients';
import type { ActionClaims } from './ledger/action-claims';

/** What a target runner needs from the invocation around it. */
export interface RunnerContext {
  readonly clients: Clients;
  readonly trace: CallTrace;
  readonly claims: ActionClaims;
  readonly dryRun: boolean;
  readonly now: () => number;
}

export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
