import type { Decision, MayAct } from './decision';
import type { RunnerContext } from './runner-context';
import { TargetInput, TargetKind } from '../src/contract';

/**
 * One target's two steps. `inspect` only reads, so it runs alongside the
 * duplicate check; `act` makes at most one mutating call, and starts as soon
 * as the read answers: it may build its calls at once, but none (ledger or
 * service) reaches the wire until `mayAct` resolves true, and it answers
 * undefined when it resolves false.
 */
export interface TargetRunner<TInspection> {
  /** Identifiers of what the target deploys, for the record. */
  readonly identifiers: Record<string, string>;
  inspect(): Promise<TInspection>;
  act(inspection: TInspection, mayAct: MayAct): Promise<Decision | undefined>;
}

/**
 * The runner for a target kind; the parser has already checked the kind.
 * Each runner, with its SDK client, is loaded on the first event of its kind,
 * so a cold start only pays for the services the function really calls.
 */
export async function targetRunner(target: TargetInput, ctx: RunnerContext): Promise<TargetRunner<unknown>> {
  switch (target.kind) {
    case TargetKind.APPCONFIG: {
      const { appConfigRunner } = await import('./appconfig/appconfig-runner');
      return await appConfigRunner(target, ctx) as TargetRunner<unknown>;
    }
    case TargetKind.PROTON_ENVIRONMENT: {
      const { protonEnvironmentRunner } = await import('./proton/proton-environment-runner');
      return await protonEnvironmentRunner(target, ctx) as TargetRunner<unknown>;
    }
  }
}
