// The one definition of what passes between the construct and the handler.
// Both sides import this file; the handler bundle inlines it, so it must not
// import aws-cdk-lib or anything else that would drag construct code into the
// Lambda asset.
import { RollbackOutcome } from '../rollback-outcome';

export { RollbackOutcome };

/** Environment variables the construct sets on the handler function. */
export const HandlerEnv = {
  /** Name of the DynamoDB ledger table. */
  LEDGER_TABLE: 'ROLLBACK_LEDGER_TABLE',
  /** Days a ledger record is kept before DynamoDB TTL removes it. */
  LEDGER_RETENTION_DAYS: 'ROLLBACK_LEDGER_RETENTION_DAYS',
  /** SNS topic for notifications; absent when none was given. */
  NOTIFICATION_TOPIC_ARN: 'ROLLBACK_NOTIFICATION_TOPIC_ARN',
  /** "true" to decide and record without calling any mutating API. */
  DRY_RUN: 'ROLLBACK_DRY_RUN',
  /** CloudWatch namespace of the embedded metrics. */
  METRIC_NAMESPACE: 'ROLLBACK_METRIC_NAMESPACE',
  /** Name of the AlarmRollback instance, a metric dimension. */
  ROLLBACK_NAME: 'ROLLBACK_NAME',
  /**
   * How long an unfinished claim on an event blocks a second delivery of it.
   * Set to the function timeout: a claim older than that belongs to an
   * invocation that died, and a retry may take it over.
   */
  CLAIM_LEASE_SECONDS: 'ROLLBACK_CLAIM_LEASE_SECONDS',
} as const;

/** Bumped when the rule input changes shape, so an old handler can refuse a new input. */
export const INPUT_VERSION = 1;

export const TargetKind = {
  APPCONFIG: 'appconfig',
  PROTON_ENVIRONMENT: 'proton-environment',
} as const;

export type TargetKindName = (typeof TargetKind)[keyof typeof TargetKind];

interface TargetInputBase {
  /** Unique name of the target inside the app (construct path). */
  readonly name: string;
  /** The alarms the target watches; an event naming any other alarm is rejected. */
  readonly alarmArns: string[];
}

export interface AppConfigTargetInput extends TargetInputBase {
  readonly kind: typeof TargetKind.APPCONFIG;
  readonly applicationId: string;
  readonly environmentId: string;
  /** 0 disables reverting completed deployments. */
  readonly revertCompletedWithinSeconds: number;
}

export interface ProtonEnvironmentTargetInput extends TargetInputBase {
  readonly kind: typeof TargetKind.PROTON_ENVIRONMENT;
  readonly environmentName: string;
}

export type TargetInput = AppConfigTargetInput | ProtonEnvironmentTargetInput;

/**
 * What each EventBridge rule sends to the handler: the original event,
 * untouched, and the identifiers of the one target the rule belongs to.
 */
export interface RollbackInput {
  readonly version: typeof INPUT_VERSION;
  readonly target: TargetInput;
  readonly event: unknown;
}

/** Longest revert window AppConfig allows after a deployment completes. */
export const MAX_REVERT_WINDOW_SECONDS = 72 * 60 * 60;

export const Metrics = {
  DEFAULT_NAMESPACE: 'CdkAlarmRollback',
  /** Count, one per recorded outcome (named apart from the Outcome dimension: EMF keeps both at the top level). */
  OUTCOME: 'OutcomeCount',
  /** Milliseconds from the alarm's state change to the completed stop or cancel call. */
  ALARM_TO_ACTION_LATENCY: 'AlarmToActionLatency',
  /** Milliseconds the handler spent on one event. */
  HANDLER_DURATION: 'HandlerDuration',
  DIMENSION_ROLLBACK: 'Rollback',
  DIMENSION_TARGET: 'Target',
  DIMENSION_OUTCOME: 'Outcome',
} as const;

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
} as const;

/** One decision, as stored in the ledger, logged, and sent in notifications. */
export interface RollbackRecord {
  readonly outcome: RollbackOutcome;
  /** Why this outcome, in words, for a person reading the ledger. */
  readonly reason: string;
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
