import type { AlarmReadFailure } from './alarm-read-failure';

// What each EventBridge rule sends the rollback handler: the original event and
// the identifiers of the one target the rule belongs to.

/** Bumped when the rule input changes shape, so an old handler can refuse a new input. */
export const INPUT_VERSION = 2;

export const TargetKind = {
  APPCONFIG: 'appconfig',
  PROTON_ENVIRONMENT: 'proton-environment',
  CLOUDFORMATION_STACK: 'cloudformation-stack',
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

export interface CloudFormationStackTargetInput extends TargetInputBase {
  readonly kind: typeof TargetKind.CLOUDFORMATION_STACK;
  /**
   * The stack's name, or its stack ID (ARN) when the construct knows it. The
   * handler resolves a nested stack to its root before it decides, so this
   * may name either.
   */
  readonly stackName: string;
  /**
   * What the start gate does when it cannot read the alarms at an update's
   * start (the AlarmRollback's `alarmReadFailure`). Set on the input of the
   * rules on the stack's status changes only: the alarm rules' events are
   * themselves the alarm's state.
   */
  readonly alarmReadFailure?: AlarmReadFailure;
}

export type TargetInput = AppConfigTargetInput | ProtonEnvironmentTargetInput | CloudFormationStackTargetInput;

/**
 * What each EventBridge rule sends to the handler: the original event,
 * untouched, and the identifiers of the one target the rule belongs to.
 */
export interface RollbackInput {
  readonly version: typeof INPUT_VERSION;
  readonly target: TargetInput;
  readonly event: unknown;
}
