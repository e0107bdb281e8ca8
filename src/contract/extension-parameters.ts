// The parameters of the AppConfig extension's associations, which tell the
// alarm-state check which target and alarms one environment has.

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
