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
  /**
   * What the alarm-state check does when it cannot read the alarms: a value
   * of `AlarmReadFailurePolicy`. Set on the alarm-state function only.
   */
  ALARM_READ_FAILURE: 'ROLLBACK_ALARM_READ_FAILURE',
  /**
   * Milliseconds the alarm-state check may spend reading the alarms before
   * its failure policy decides. Kept well under the function timeout, so the
   * policy, not a timeout, decides what AppConfig hears.
   */
  ALARM_READ_BUDGET_MS: 'ROLLBACK_ALARM_READ_BUDGET_MS',
  /**
   * The outcomes published to the notification topic: `RollbackOutcome`
   * names separated by commas. Set with the topic; absent means the outcomes
   * a person acts on.
   */
  NOTIFY_OUTCOMES: 'ROLLBACK_NOTIFY_OUTCOMES',
} as const;

/**
 * The outcomes published to the notification topic unless `notifyOn` says
 * otherwise: those a person acts on. A stop, revert or cancel to confirm, a
 * failed call to redo by hand, a refused start that holds a release until
 * someone looks at the alarm, and a dry run's would-be action. The rest
 * record that nothing needed doing.
 */
export const DEFAULT_NOTIFY_OUTCOMES: readonly RollbackOutcome[] = [
  RollbackOutcome.ROLLED_BACK,
  RollbackOutcome.REVERTED,
  RollbackOutcome.CANCEL_REQUESTED,
  RollbackOutcome.FAILED,
  RollbackOutcome.DEPLOYMENT_BLOCKED,
  RollbackOutcome.DRY_RUN,
  RollbackOutcome.ALARM_MISSING,
];

/** Bumped when the rule input changes shape, so an old handler can refuse a new input. */
export const INPUT_VERSION = 2;

/** What set a decision in motion: the record's `trigger`. */
export const Trigger = {
  /** A CloudWatch alarm state-change event, delivered by an EventBridge rule. */
  ALARM_EVENT: 'ALARM_EVENT',
  /** AppConfig's AT_DEPLOYMENT_TICK extension call, made throughout a rollout and its bake. */
  DEPLOYMENT_TICK: 'DEPLOYMENT_TICK',
  /**
   * A deployment starting: AppConfig's PRE_START_DEPLOYMENT extension call,
   * or a Proton environment deployment going IN_PROGRESS.
   */
  DEPLOYMENT_START: 'DEPLOYMENT_START',
} as const;

export type TriggerName = (typeof Trigger)[keyof typeof Trigger];

/** CloudWatch alarm states: the StateValue enum of the CloudWatch API. */
export const AlarmStateValue = {
  OK: 'OK',
  ALARM: 'ALARM',
  INSUFFICIENT_DATA: 'INSUFFICIENT_DATA',
} as const;

/**
 * What the alarm-state check does when the alarms cannot be read (throttled,
 * denied, unavailable, or slower than its budget). CodeDeploy's
 * `ignorePollAlarmFailure` is the model: stop by default, go on if chosen.
 */
export const AlarmReadFailurePolicy = {
  /** Roll the deployment back (at a tick) or refuse it (at its start). */
  ROLL_BACK: 'ROLL_BACK',
  /** Let the deployment go on; the failure is logged and counted. */
  CONTINUE: 'CONTINUE',
} as const;

export type AlarmReadFailurePolicyName = (typeof AlarmReadFailurePolicy)[keyof typeof AlarmReadFailurePolicy];

/**
 * The parameters of the AppConfig extension the construct creates, set per
 * association (one association per AppConfig target environment). AppConfig
 * allows at most 10 parameters per extension and 2,048 characters per value
 * (botocore appconfig 2019-10-09: ParameterMap max 10,
 * StringWithLengthBetween1And2048).
 */
export const ExtensionParameter = {
  /** JSON of an `AlarmStateTargetParameter`. */
  TARGET: 'Target',
  /**
   * `Alarms1` to `Alarms9`: the target's alarm ARNs, as JSON arrays of
   * strings, in order, each value at most `MAX_VALUE_LENGTH` characters once
   * deployed; unused ones are left out of the association.
   */
  ALARMS_PREFIX: 'Alarms',
  ALARMS_PARAMETER_COUNT: 9,
  MAX_VALUE_LENGTH: 2048,
} as const;

/** What the alarm-state check knows of one AppConfig target, from its association's `Target` parameter. */
export interface AlarmStateTargetParameter {
  /** The target's name, as in its rule input and ledger records. */
  readonly name: string;
  readonly applicationId: string;
  readonly environmentId: string;
  /** The alarm states that roll the target back. */
  readonly triggerStates: string[];
  /** Act on alarms whose actions are disabled or suppressed, too. */
  readonly actOnPausedAlarms: boolean;
  /** Refuse to start a deployment while one of the alarms is in a trigger state. */
  readonly blockStart: boolean;
}

export const TargetKind = {
  APPCONFIG: 'appconfig',
  PROTON_ENVIRONMENT: 'proton-environment',
} as const;

export type TargetKindName = (typeof TargetKind)[keyof typeof TargetKind];

interface TargetInputBase {
  /** Unique name of the target inside the app (construct path). */
  readonly name: string;
  /**
   * The alarms the target watches by ARN (empty for a target watched by tags
   * only); an event naming any other alarm is rejected unless its tags match
   * `alarmTags`.
   */
  readonly alarmArns: string[];
  /**
   * Tags that make an alarm one of the target's: an event whose
   * `detail.alarmTags` holds every one of these keys with exactly this value
   * is the target's, whichever alarm sent it. Absent for a target watched by
   * ARN only.
   */
  readonly alarmTags?: Record<string, string>;
  /**
   * The alarm states that roll the target back: `ALARM`, and also
   * `INSUFFICIENT_DATA` when the target's `triggerOn` says so.
   */
  readonly triggerStates: string[];
  /**
   * Act on an alarm whose actions are disabled or suppressed, too. False
   * does as AppConfig's own alarm monitors do: a paused alarm rolls nothing
   * back, and the decision is recorded as IGNORED.
   */
  readonly actOnPausedAlarms: boolean;
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

// ---------------------------------------------------------------------------
// Rules. Every pattern and limit that more than one side applies lives here
// once: the construct checks props against it at synth, the handler checks
// the rule input and the event against it, the local services check requests
// against it, and the fuzz tests take it as the definition of "valid". Each
// names the AWS source it comes from; a rule of our own says so.
// ---------------------------------------------------------------------------

/** One rule on a text value, and the words an error message uses for it. */
export interface TextRule {
  /** What a valid value looks like, in words, for error messages. */
  readonly says: string;
  /** True when `value` is a string that follows the rule. */
  test(value: unknown): value is string;
}

/** The parts of a CloudWatch alarm ARN the handler compares with the event. */
export interface AlarmArnParts {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  readonly alarmName: string;
}

function textRule(says: string, accepts: (text: string) => boolean): TextRule {
  return { says, test: (value: unknown): value is string => typeof value === 'string' && accepts(value) };
}

/**
 * Longest name of an alarm: the AlarmName shape of the CloudWatch API
 * (botocore cloudwatch 2010-08-01: min 1, max 255). PutMetricAlarm adds that
 * the name "can't contain ASCII control characters". Smithy counts length in
 * Unicode code points, so the ARN rule reads the name with the `u` flag.
 */
const MAX_ALARM_NAME_LENGTH = 255;

/** Longest event or state time accepted: our own cap, AWS states none, and no ISO 8601 time needs more. */
const MAX_EVENT_TIME_LENGTH = 64;

/**
 * `arn:<partition>:cloudwatch:<region>:<account>:alarm:<name>`, as the
 * CloudWatch API Reference's AlarmArn and the Service Authorization
 * Reference's `alarm` resource type give it; the name is kept verbatim.
 */
const ALARM_ARN = new RegExp(
  `^arn:(aws[a-z-]*):cloudwatch:([a-z0-9-]+):(\\d{12}):alarm:([^\\u0000-\\u001f\\u007f]{1,${MAX_ALARM_NAME_LENGTH}})$`, 'u');

export const Rules = {
  /**
   * AppConfig application and environment IDs: the `Id` shape of the AppConfig
   * API (botocore appconfig 2019-10-09, pattern `[a-z0-9]{4,7}`), which every
   * path parameter of ListDeployments, GetDeployment and StopDeployment uses.
   */
  APPCONFIG_ID: textRule('4 to 7 lowercase letters or digits, such as "abc1234"', (text) => /^[a-z0-9]{4,7}$/.test(text)),

  /** The longest AppConfig ID (the `Id` shape above): no other ID starts with a 7-character one. */
  APPCONFIG_ID_MAX_LENGTH: 7,

  /**
   * Proton environment names: the `ResourceName` shape of the Proton API
   * (botocore proton 2020-07-20: 1 to 100 characters, pattern
   * `^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`), the type of GetEnvironment's `name` and
   * CancelEnvironmentDeployment's `environmentName`.
   */
  PROTON_RESOURCE_NAME: textRule('1 to 100 letters, digits, "_" or "-", starting with a letter or digit',
    (text) => text.length <= 100 && /^[0-9A-Za-z][0-9A-Za-z_-]*$/.test(text)),

  /**
   * The name of a target (the construct path of `addTarget`'s id). Our own
   * rule, AWS sets none: the name is part of the ledger's partition key and a
   * metric dimension value, so it is kept short (DynamoDB allows 2,048 bytes
   * of partition key, CloudWatch 1,024 characters of dimension value),
   * trimmed, and free of control characters that would garble log lines.
   */
  TARGET_NAME: textRule('1 to 512 characters, without control characters or leading or trailing spaces',
    (text) => text.length > 0 && text.length <= 512 && text.trim() === text && !/[\u0000-\u001f\u007f]/.test(text)),

  /**
   * An EventBridge event id. The EventBridge User Guide's "Amazon EventBridge
   * events" reference says every event carries a version 4 UUID; the id becomes
   * part of ledger keys, so anything else is refused. (Case is not stated;
   * either is accepted.)
   */
  EVENT_ID: textRule('a UUID', (text) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)),

  /**
   * An event's `time`: ISO 8601 with a zone, as the EventBridge event
   * reference shows it (CloudWatch's `detail.state.timestamp`, such as
   * `2024-05-01T12:00:00.120+0000`, has the same form). The length cap is our
   * own: AWS states none, and no ISO 8601 time needs more.
   */
  EVENT_TIME: textRule('an ISO 8601 time with a zone, such as "2024-05-01T12:00:00Z"', (text) => text.length <= MAX_EVENT_TIME_LENGTH
    && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/.test(text)
    && !Number.isNaN(Date.parse(text))),

  /** An AWS account ID: the AccountId shape of the Organizations API (botocore organizations 2016-11-28, pattern `^\d{12}$`). */
  ACCOUNT_ID: textRule('12 digits, such as "111122223333"', (text) => /^\d{12}$/.test(text)),

  /** An AWS Organizations organization ID: the OrganizationId shape (botocore organizations 2016-11-28, pattern `^o-[a-z0-9]{10,32}$`). */
  ORGANIZATION_ID: textRule('"o-" and 10 to 32 lowercase letters or digits, such as "o-a1b2c3d4e5"', (text) => /^o-[a-z0-9]{10,32}$/.test(text)),

  /**
   * An alarm tag key: the TagKey shape of the CloudWatch API (botocore
   * cloudwatch 2010-08-01, 1 to 128 characters). Keys starting with `aws:`
   * are reserved and never propagated into alarm events ("Alarm tags in
   * action payloads", CloudWatch User Guide), so a target cannot route by them.
   */
  ALARM_TAG_KEY: textRule('1 to 128 characters, not starting with "aws:"',
    (text) => text.length >= 1 && text.length <= 128 && !text.toLowerCase().startsWith('aws:')),

  /** An alarm tag value: the TagValue shape of the CloudWatch API (botocore cloudwatch 2010-08-01, 0 to 256 characters). */
  ALARM_TAG_VALUE: textRule('0 to 256 characters', (text) => text.length <= 256),

  /**
   * Tags one target routes by. Our own cap: CloudWatch allows 50 tags on an
   * alarm (TagResource, CloudWatch API reference), but every tag is one more
   * condition of the rule's event pattern, and a handful is enough to single
   * out a team's or a service's alarms.
   */
  MAX_ALARM_TAGS_PER_TARGET: 10,

  /** Longest alarm ARN: the AlarmArn shape of the CloudWatch API (botocore cloudwatch 2010-08-01, max 1600). */
  MAX_ALARM_ARN_LENGTH: 1600,

  /** Longest alarm name, see ALARM_ARN above. */
  MAX_ALARM_NAME_LENGTH,

  /** Longest event or state time, see EVENT_TIME. */
  MAX_EVENT_TIME_LENGTH,

  /** Longest alarm state reason: the StateReason shape of the CloudWatch API (botocore cloudwatch 2010-08-01, max 1023). */
  MAX_STATE_REASON_LENGTH: 1023,

  /**
   * Longest revert window: the AppConfig API Reference's StopDeployment says
   * "AppConfig only allows a revert within 72 hours of deployment completion".
   */
  MAX_REVERT_WINDOW_SECONDS: 72 * 60 * 60,
} as const;


/** The alarm ARN's parts, or undefined when `value` is not a CloudWatch alarm ARN. */
export function parseAlarmArn(value: unknown): AlarmArnParts | undefined {
  if (typeof value !== 'string' || value.length > Rules.MAX_ALARM_ARN_LENGTH) {
    return undefined;
  }
  const match = ALARM_ARN.exec(value);
  return match ? { partition: match[1], region: match[2], account: match[3], alarmName: match[4] } : undefined;
}

/** True when `value` is a CloudWatch alarm ARN (see `parseAlarmArn`). */
export function isAlarmArn(value: unknown): value is string {
  return parseAlarmArn(value) !== undefined;
}

/**
 * The alarm types the alarm-state check reads, as DescribeAlarms' `AlarmTypes`
 * names them, with the CloudFormation resource type of each. DescribeAlarms
 * returns each type in a member of its own (`MetricAlarms`, `CompositeAlarms`,
 * `LogAlarms`) and only when `AlarmTypes` names it (CloudWatch API Reference,
 * DescribeAlarms; @aws-sdk/client-cloudwatch 3.1164.0's AlarmType enum).
 */
export const CHECKED_ALARM_TYPES = {
  MetricAlarm: 'AWS::CloudWatch::Alarm',
  CompositeAlarm: 'AWS::CloudWatch::CompositeAlarm',
  LogAlarm: 'AWS::CloudWatch::LogAlarm',
} as const;

/** The `Result` dimension of the ALARM_STATE_CHECK metric. */
export const CheckResult = {
  /** No alarm fires (paused ones included): the deployment goes on. */
  OK: 'OK',
  /** An alarm fires: the deployment is rolled back or refused. */
  FIRING: 'FIRING',
  /** The alarms could not be read; the read-failure policy decided. */
  UNREADABLE: 'UNREADABLE',
  /** A start with blockStart off: nothing was read. */
  NOT_CHECKED: 'NOT_CHECKED',
  /**
   * The payload or the association's parameters could not be read, or named
   * another environment than the request: a defect of the construct's
   * deployment. Answered CONTINUE (a start allowed), loudly.
   */
  REJECTED: 'REJECTED',
  /** The check itself failed (an unexpected exception, or no decision by its answer deadline). Answered CONTINUE, loudly. */
  FAULT: 'FAULT',
  /**
   * No alarm fires, but DescribeAlarms did not return one or more of the
   * target's alarms (a mistyped imported name, or a deleted alarm): the
   * deployment goes on, unguarded by them. Never OK, never a rollback.
   */
  MISSING: 'MISSING',
} as const;

/** Results that are the check's own fault or its configuration's: never a rollback, always counted by ALARM_STATE_FAULT. */
export const CHECK_FAULT_RESULTS: readonly CheckResultName[] = [CheckResult.REJECTED, CheckResult.FAULT];

export type CheckResultName = (typeof CheckResult)[keyof typeof CheckResult];

export const Metrics = {
  DEFAULT_NAMESPACE: 'CdkAlarmRollback',
  /** Count, one per recorded outcome (named apart from the Outcome dimension: EMF keeps both at the top level). */
  OUTCOME: 'OutcomeCount',
  /** Milliseconds from the alarm's state change to the completed stop or cancel call. */
  ALARM_TO_ACTION_LATENCY: 'AlarmToActionLatency',
  /** Milliseconds the handler spent on one event. */
  HANDLER_DURATION: 'HandlerDuration',
  /**
   * Count, one per alarm-state check (deployment tick or start), with the
   * dimension `Result`: a check that finds every alarm quiet writes no
   * ledger record, only this metric.
   */
  ALARM_STATE_CHECK: 'AlarmStateCheckCount',
  /**
   * Count, one per alarm-state check that failed on its own side (result
   * REJECTED or FAULT) and so answered CONTINUE whatever the alarms said;
   * dimension `Rollback` only, so one watcher alarm covers both action points.
   */
  ALARM_STATE_FAULT: 'AlarmStateFaultCount',
  /**
   * Count, one per alarm-state record the ledger had not kept by the check's
   * answer deadline; the record is in full in the check's log line beside it.
   * Dimension `Rollback`.
   */
  RECORD_NOT_KEPT: 'RecordNotKeptCount',
  DIMENSION_TRIGGER: 'Trigger',
  DIMENSION_RESULT: 'Result',
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
  readonly trigger?: TriggerName;
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
