import { SentNotification } from './notification-sink';
import { RollbackRecord, TargetInput } from '../../src/private/contract';

// What a simulation reports: `simulate --json` prints a SimulationReport, the
// timeline formats one, and the demo reads its parts as they happen.

/** A rule in the report: where it is and what it watches. */
export interface RuleSummary {
  readonly rule: string;
  readonly stack: string;
  readonly target: string;
  readonly kind: string;
  readonly alarmArns: readonly string[];
}

/** One AWS call the handler made, as the local service received it. */
export interface ServiceCall {
  readonly service: 'AppConfig' | 'Proton';
  readonly operation: string;
  readonly status?: number;
  readonly error?: string;
}

/** One rule's delivery of an event to the handler. */
export interface Delivery {
  readonly rule: string;
  readonly target: TargetInput;
  /** What the rule sent the handler. */
  readonly input: unknown;
  /** SUCCEEDED, or DEAD_LETTERED after Lambda's retries. */
  readonly status: 'SUCCEEDED' | 'DEAD_LETTERED';
  readonly attempts: number;
  readonly requestId: string;
  readonly outcome?: string;
  readonly reason?: string;
  /** What the handler returned. */
  readonly result?: RollbackRecord;
  readonly error?: { readonly name: string; readonly message: string };
  readonly calls: readonly ServiceCall[];
  /** The ledger record of this delivery, as stored. */
  readonly ledger?: Record<string, unknown>;
  readonly notifications: readonly SentNotification[];
}

export interface EventReport {
  readonly index: number;
  /** Where the event came from (its file). */
  readonly source: string;
  readonly eventId?: string;
  readonly alarmArn?: string;
  readonly alarmName?: string;
  readonly state?: string;
  readonly previousState?: string;
  readonly deliveries: readonly Delivery[];
  /** The rules that did not match, and the pattern field that failed. */
  readonly unmatched: readonly { readonly rule: string; readonly target: string; readonly reason: string }[];
}

export interface FinalState {
  readonly appConfig: readonly {
    readonly targets: readonly string[];
    readonly applicationId: string;
    readonly environmentId: string;
    readonly deployments: readonly { readonly number: number; readonly state: string; readonly percentageComplete: number }[];
    readonly error?: string;
  }[];
  readonly proton: readonly {
    readonly targets: readonly string[];
    readonly environmentName: string;
    readonly deploymentStatus?: string;
    readonly error?: string;
  }[];
}

/** Everything `simulate --json` prints. */
export interface SimulationReport {
  readonly assembly: string;
  readonly rules: readonly RuleSummary[];
  readonly events: readonly EventReport[];
  readonly finalState: FinalState;
  /** Every ledger record, oldest first. */
  readonly ledger: readonly Record<string, unknown>[];
}
