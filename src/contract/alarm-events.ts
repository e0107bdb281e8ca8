// The events the rules match and the handler reads: their sources, detail
// types and the alarm states they carry. Every rule, parser and tool that
// names one imports it from here.

/**
 * The source of CloudWatch alarm state-change events ("Alarm events and
 * EventBridge", CloudWatch User Guide).
 */
export const CLOUDWATCH_SOURCE = 'aws.cloudwatch';

/** The detail type of a CloudWatch alarm's state change (same page). */
export const ALARM_STATE_CHANGE = 'CloudWatch Alarm State Change';

/**
 * The source of AWS Proton's events ("Monitor AWS Proton with Amazon
 * EventBridge", AWS Proton User Guide).
 */
export const PROTON_SOURCE = 'aws.proton';

/** The detail type of a Proton environment's status change (same page). */
export const PROTON_ENVIRONMENT_STATUS_CHANGE = 'AWS Proton Environment Status Change';

/**
 * The source of CloudFormation's events ("Stack Status Change event detail",
 * CloudFormation User Guide).
 */
export const CLOUDFORMATION_SOURCE = 'aws.cloudformation';

/**
 * The detail type of a stack's status change (same page): `detail.stack-id`
 * is the stack ID (its ARN) and `detail.status-details.status` the status it
 * entered.
 */
export const CLOUDFORMATION_STACK_STATUS_CHANGE = 'CloudFormation Stack Status Change';

/** CloudWatch alarm states: the StateValue enum of the CloudWatch API. */
export const AlarmStateValue = {
  OK: 'OK',
  ALARM: 'ALARM',
  INSUFFICIENT_DATA: 'INSUFFICIENT_DATA',
} as const;
