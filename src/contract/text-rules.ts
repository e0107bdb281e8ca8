// Every pattern and limit that more than one side applies lives here once:
// the construct checks props against it at synth, the handler checks the rule
// input and the event against it, and the fuzz tests take it as the
// definition of "valid". Each names the AWS source it comes from; a rule of
// our own says so.

/** One rule on a text value, and the words an error message uses for it. */
export interface TextRule {
  /** What a valid value looks like, in words, for error messages. */
  readonly says: string;
  /** True when `value` is a string that follows the rule. */
  test(value: unknown): value is string;
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
  /**
   * A CloudFormation stack's name, or its stack ID. A name "can contain only
   * alphanumeric characters (case-sensitive) and hyphens. It must start with
   * an alphabetic character and can't be longer than 128 characters"
   * (CreateStack, CloudFormation API Reference); a stack ID is the stack's
   * ARN, `arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>`.
   */
  CLOUDFORMATION_STACK_NAME_OR_ID: textRule('a stack name (1 to 128 letters, digits or "-", starting with a letter) or a stack ID (arn:<partition>:cloudformation:<region>:<account>:stack/<name>/<id>)',
    (text) => /^[A-Za-z][-A-Za-z0-9]{0,127}$/.test(text)
      || /^arn:aws[-a-z]*:cloudformation:[a-z0-9-]+:\d{12}:stack\/[A-Za-z][-A-Za-z0-9]{0,127}\/[-A-Za-z0-9]+$/.test(text)),

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

  /**
   * Tags on one alarm: "You can assign up to 50 tags to a CloudWatch
   * resource" (TagResource, CloudWatch API reference). A tag set with more
   * keys matches no alarm.
   */
  MAX_TAGS_PER_ALARM: 50,

  /** Longest alarm ARN: the AlarmArn shape of the CloudWatch API (botocore cloudwatch 2010-08-01, max 1600). */
  MAX_ALARM_ARN_LENGTH: 1600,

  /** Longest alarm name, see MAX_ALARM_NAME_LENGTH above (alarm-arn.ts reads ARNs with it). */
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
