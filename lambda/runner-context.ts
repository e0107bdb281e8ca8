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
  /**
   * Epoch milliseconds the event is evidence about: the alarm's state change
   * (or the event time when the event carried none). Deployments are judged
   * at this moment, not at the handler's.
   */
  readonly alarmAt: number;
  /** Epoch milliseconds until which an event that lost a claim may wait for its holder. */
  readonly waitUntil: number;
  /**
   * Hands over work that follows the call's answer and is no part of the
   * decision (marking a claim DONE): it runs beside the record, and the
   * invocation ends only once it is done.
   */
  readonly afterwards: (work: Promise<void>) => void;
}
