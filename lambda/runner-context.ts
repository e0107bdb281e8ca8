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
