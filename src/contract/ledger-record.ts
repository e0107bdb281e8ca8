// The ledger: its table's attribute names and the record of one decision, as
// stored, logged and sent in notifications.
import { RollbackOutcome } from './rollback-outcome';
import { RollbackTrigger } from './rollback-trigger';
import { TargetKindName } from './rule-input';

/** Attribute names of the ledger table. */
export const Ledger = {
  PARTITION_KEY: 'pk',
  SORT_KEY: 'sk',
  TTL_ATTRIBUTE: 'expiresAt',
  /** Sparse index over records only: partition `outcome`, sort `recordedAt`. */
  OUTCOME_INDEX: 'byOutcome',
  OUTCOME_INDEX_PARTITION_KEY: 'outcome',
  OUTCOME_INDEX_SORT_KEY: 'recordedAt',
  /** Records of one target: `pk = TARGET#<target name>`, `sk = EVENT#<event time>#<event id>`. */
  TARGET_PREFIX: 'TARGET#',
  EVENT_PREFIX: 'EVENT#',
  /** Claims that make the stop or cancel call happen once per deployment. */
  ACTION_PREFIX: 'ACTION#',
  /** Claims that make an event's FAILED notification go out once, whatever the number of attempts: `NOTICE#<record pk>`. */
  NOTICE_PREFIX: 'NOTICE#',
  /**
   * The sort key, in a deployment's claim partition, of the marker that its
   * missing alarms were recorded: the first check to write it records them.
   */
  MISSING_ALARMS_SORT_KEY: 'MISSING_ALARMS',
} as const;

/** One decision, as stored in the ledger, logged, and sent in notifications. */
export interface RollbackRecord {
  readonly outcome: RollbackOutcome;
  /** Why this outcome, in words, for a person reading the ledger. */
  readonly reason: string;
  /** What set the decision in motion; records made before triggers existed have none (an alarm event). */
  readonly trigger?: RollbackTrigger;
  /** Names of the watched alarms a state check found in a trigger state. */
  readonly alarmsFiring?: string[];
  readonly rollback: string;
  readonly target: string;
  readonly targetKind?: TargetKindName;
  readonly eventId: string;
  readonly eventTime?: string;
  readonly alarmArn?: string;
  readonly alarmName?: string;
  readonly alarmState?: string;
  readonly stateReason?: string;
  readonly stateTimestamp?: string;
  /**
   * The moment the decision counted from (ISO 8601): the alarm's state change
   * time, or the event time when the event carried no readable one.
   */
  readonly alarmTime?: string;
  /** Where `alarmTime` came from: `detail.state.timestamp` or `time` (the fallback). */
  readonly alarmTimeSource?: string;
  readonly applicationId?: string;
  readonly environmentId?: string;
  readonly deploymentNumber?: number;
  readonly environmentName?: string;
  readonly deploymentId?: string;
  readonly stateBefore?: string;
  readonly stateAfter?: string;
  /** `service:Operation` of every AWS call made for the decision, in order. */
  readonly apiCalls: string[];
  /** The call dry-run mode would have made. */
  readonly wouldCall?: string;
  readonly durationMs: number;
  readonly alarmToActionMs?: number;
  readonly error?: string;
  readonly recordedAt: string;
  readonly requestId?: string;
}

/**
 * A stack update's id: the update's claim key and its records'
 * `deploymentId`, `<stack ID>@<ISO 8601 time>`, the time being when the
 * update entered UPDATE_IN_PROGRESS. A stack ID with the start names one
 * update for good: CloudFormation gives a new stack of the same name a new
 * ID, and a stack runs one operation at a time.
 */
export function stackUpdateId(stackId: string, startedAt: number): string {
  return `${stackId}@${new Date(startedAt).toISOString()}`;
}

/** The stack and start a `stackUpdateId` names; undefined for any other text. */
export function parseStackUpdateId(id: string): { readonly stackId: string; readonly stackName: string; readonly startedAt: string } | undefined {
  const match = /^(arn:[^:]+:cloudformation:[^:]*:\d{12}:stack\/([^/]+)\/[^@]+)@(\d{4}-\d\d-\d\dT[^@]+Z)$/.exec(id);
  return match ? { stackId: match[1], stackName: match[2], startedAt: match[3] } : undefined;
}
