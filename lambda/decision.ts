import type { RollbackOutcome } from '../src/private/contract';

/** What a target runner decided, with the facts the record keeps. */
export interface Decision {
  readonly outcome: RollbackOutcome;
  readonly reason: string;
  readonly stateBefore?: string;
  readonly stateAfter?: string;
  readonly deploymentNumber?: number;
  readonly deploymentId?: string;
  readonly wouldCall?: string;
  /** Epoch milliseconds when the stop or cancel call completed. */
  readonly actedAt?: number;
}

/**
 * Whether the event's duplicate check let this delivery act: false for a
 * second delivery of an event.
 */
export type MayAct = () => Promise<boolean>;

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
