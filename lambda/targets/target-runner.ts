import type { RollbackOutcome } from '../../src/contract';
import type { CallTrace } from '../shared/call-trace';
import type { Clients } from '../shared/clients';
import type { ActionClaims } from '../shared/ledger/action-claims';

/**
 * The one interface every kind of target implements on the handler side:
 * what a runner is given (RunnerContext), its two steps (TargetRunner) and
 * what it decides (Decision). Kept apart from the registry that loads the
 * runners (registry.ts), so a runner imports this file and nothing imports a
 * runner back but the registry.
 */

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

/** What a target runner needs from the invocation around it. */
export interface RunnerContext {
  readonly clients: Clients;
  readonly trace: CallTrace;
  readonly claims: ActionClaims;
  readonly dryRun: boolean;
  readonly now: () => number;
  /**
   * Epoch milliseconds the event is evidence about: the alarm's state change
   * (or the event time when the event carried none). Deployments are judged
   * at this moment, not at the handler's.
   */
  readonly alarmAt: number;
  /**
   * Whether the alarm's actions let this event act: false while they are
   * disabled, suppressed or muted (and the target does not act on paused
   * alarms). Read only when a delivery is about to act (it holds the
   * deployment's claim, or is recording a dry run), so a burst of deliveries
   * for one deployment reads it once, not once per delivery.
   */
  readonly actionsActive: () => Promise<boolean>;
  /** Epoch milliseconds until which an event that lost a claim may wait for its holder. */
  readonly waitUntil: number;
  /**
   * Hands over work that follows the call's answer and is no part of the
   * decision (marking a claim DONE): it runs beside the record, and the
   * invocation ends only once it is done.
   */
  readonly afterwards: (work: Promise<void>) => void;
}
