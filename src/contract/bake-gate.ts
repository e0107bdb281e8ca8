/**
 * The bake gate's wire shape: the properties of its custom resource, written
 * by the construct and read by the gate's handler, and the limits both sides
 * enforce. No aws-cdk-lib here: the handler bundles this file.
 */

/** The gate's custom resource type (CloudFormation User Guide, custom resources: `Custom::` and up to 60 characters). */
export const BAKE_GATE_RESOURCE_TYPE = 'Custom::AlarmRollbackBakeGate';

/**
 * The gate's `Properties`. CloudFormation hands a custom resource's scalar
 * properties to its provider as strings (a number or a boolean in the
 * template arrives as "300" or "true"), lists as lists of strings.
 */
export const BakeGateProperty = {
  /** SHA-256 of the rest of the stack's resolved template: changes when, and only when, something else in the stack does. */
  TEMPLATE_HASH: 'TemplateHash',
  /** How long to bake, in whole seconds, counted from the gate's start. */
  BAKE_SECONDS: 'BakeSeconds',
  /** The target's name, as in its rule input and ledger records. */
  TARGET: 'Target',
  /** The alarms to read, by ARN. */
  ALARM_ARNS: 'AlarmArns',
  /** The alarm states that roll the update back: `ALARM`, and `INSUFFICIENT_DATA` when the target's triggerOn says so. */
  TRIGGER_STATES: 'TriggerStates',
  /** "true" to count alarms whose actions are disabled, suppressed or muted, too. */
  ACT_ON_PAUSED_ALARMS: 'ActOnPausedAlarms',
  /** "true" for the start gate: an alarm firing since before the update fails it too. */
  BLOCK_START: 'BlockStart',
  /** `ROLL_BACK` or `CONTINUE`: what a read failure does (AlarmReadFailure). */
  ALARM_READ_FAILURE: 'AlarmReadFailure',
} as const;

export const BakeGateLimits = {
  /**
   * The longest a custom resource may take: `ServiceTimeout` is an integer
   * from 1 to 3600 seconds, default 3600 (AWS::CloudFormation::CustomResource,
   * CloudFormation Template Reference), and the CDK Provider framework's
   * `totalTimeout` is at most one hour (aws-cdk-lib custom_resources.Provider,
   * ProviderProps.totalTimeout).
   */
  CUSTOM_RESOURCE_TIMEOUT_SECONDS: 3600,
  /**
   * Kept free of the bake inside that hour: the last poll's interval, its
   * alarm read and a cold start. A bake still running when the hour is up
   * fails the resource ("Operation timed out"), which rolls the update back:
   * the gate's own lateness must never do that.
   */
  MARGIN_SECONDS: 300,
  /** The longest bake: the hour less the margin. */
  MAX_BAKE_SECONDS: 3300,
  /** How often the Provider framework calls isComplete (`queryInterval`): the bake's resolution. */
  QUERY_INTERVAL_SECONDS: 30,
} as const;
