import type { RollbackOutcome } from '../src/contract';

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
