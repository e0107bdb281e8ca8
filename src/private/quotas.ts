// Every AWS quota and API limit that bounds what an AlarmRollback deploys, in
// one place: the construct sizes its rules and policies by these numbers, the
// quota test checks the resolved template against them, and the synth-scale
// bench reports the headroom left under each.
import { ExtensionParameter } from '../contract';

/**
 * Characters in a rule's event pattern. "Amazon EventBridge quotas" (Event
 * pattern: 2048 characters maximum); a quota increase raises it to 4096, the
 * PutRule API's own limit, but the library never relies on the increase.
 */
export const EVENT_PATTERN_MAX_CHARS = 2048;

/** Characters in an input transformer's template: `InputTransformer.InputTemplate` in the EventBridge API reference (1 to 8192). */
export const INPUT_TEMPLATE_MAX_CHARS = 8192;

/**
 * Rules per event bus. "Amazon EventBridge quotas": Rules, 300 per event bus
 * (adjustable). The quota is the bus's: every stack and construct that puts
 * rules on one bus shares it, so it is counted per bus, not per stack.
 */
export const RULES_PER_EVENT_BUS = 300;

/**
 * Characters in one event bus's resource-based policy. "Amazon EventBridge
 * quotas": Event bus policy size, 10,240 characters, adjustable; the policy
 * grows with every account granted access. The page does not say whether
 * white space counts; the policy is counted as compact JSON. The quota is the
 * bus's, so every statement on it counts, also those this app did not write.
 */
export const EVENT_BUS_POLICY_MAX_CHARS = 10_240;

/** Targets per rule. "Amazon EventBridge quotas": Targets, maximum 5 targets per rule. */
export const TARGETS_PER_RULE = 5;

/** Characters in a rule name: `PutRule` Name in the EventBridge API reference (1 to 64, `[.\-_A-Za-z0-9]+`). */
export const RULE_NAME_MAX_CHARS = 64;

/** `RetryPolicy.MaximumEventAgeInSeconds` in the EventBridge API reference: 60 to 86400. */
export const RULE_MAX_EVENT_AGE_MIN_SECONDS = 60;
export const RULE_MAX_EVENT_AGE_MAX_SECONDS = 86400;

/** `RetryPolicy.MaximumRetryAttempts` in the EventBridge API reference: 0 to 185. */
export const RULE_MAX_RETRY_ATTEMPTS = 185;

/** Statements in an SQS queue policy. "Amazon SQS policy quotas": Statements, 20. */
export const SQS_POLICY_MAX_STATEMENTS = 20;

/** Bytes in an SQS queue policy. "Amazon SQS policy quotas": Bytes, 8,192. */
export const SQS_POLICY_MAX_BYTES = 8192;

/**
 * Bytes in a function's resource-based policy. "Lambda quotas": function
 * resource-based policy, 20 KB, not adjustable (Lambda answers
 * PolicyLengthExceededException). The page says KB without saying 1,000 or
 * 1,024; the smaller is used.
 */
export const LAMBDA_RESOURCE_POLICY_MAX_BYTES = 20_000;

/**
 * Characters of all inline policies of one role together. "IAM and AWS STS
 * quotas": role policy size cannot exceed 10,240 characters; IAM does not
 * count white space.
 */
export const IAM_INLINE_ROLE_POLICIES_MAX_CHARS = 10_240;

/** Characters in one customer managed policy. "IAM and AWS STS quotas": managed policy size, 6,144 characters (white space not counted). */
export const IAM_MANAGED_POLICY_MAX_CHARS = 6144;

/** Managed policies attached to one role. "IAM and AWS STS quotas": managed policies per role, 10 by default (adjustable to 20). */
export const IAM_MANAGED_POLICIES_PER_ROLE = 10;

/** Resources in one stack. "AWS CloudFormation quotas": Resources, 500 per stack. */
export const CLOUDFORMATION_MAX_RESOURCES = 500;

/**
 * Bytes of a template uploaded through S3, as the CDK deploys it.
 * "AWS CloudFormation quotas": Template body size in an Amazon S3 object, 1 MB
 * (the CDK counts it as 1,000,000 bytes).
 */
export const CLOUDFORMATION_TEMPLATE_MAX_BYTES = 1_000_000;

/**
 * Longest name CloudFormation generates for a resource it names itself:
 * `<stack>-<logical id>-<12 characters>`, the first two shortened so the
 * whole is at most 64 characters. Neither the AWS::CloudWatch::Alarm page
 * nor the quotas page states the cap; 64 is what CloudFormation produces.
 */
export const GENERATED_NAME_MAX_CHARS = 64;

/** The unique suffix CloudFormation appends to a name it generates (12 characters, as in `MyStack-MyAlarm-1A2B3C4D5E6F`). */
export const GENERATED_NAME_SUFFIX_CHARS = 12;

/** Parameters of one AppConfig extension: `ParameterMap` of CreateExtension (botocore appconfig 2019-10-09, max 10). */
export const APPCONFIG_EXTENSION_MAX_PARAMETERS = ExtensionParameter.ALARMS_PARAMETER_COUNT + 1;

/** Characters of one extension association parameter value: `StringWithLengthBetween1And2048` (botocore appconfig 2019-10-09). */
export const APPCONFIG_PARAMETER_VALUE_MAX_CHARS = ExtensionParameter.MAX_VALUE_LENGTH;

// Extension associations: the CreateExtensionAssociation API reference
// names ServiceQuotaExceededException but lists quotas for applications,
// deployment strategies, configuration profiles and environments only; AWS
// states no number of associations per extension or per account, so none is
// checked here. Each association is one CloudFormation resource, and the
// 500 resources of a stack (checked by AlarmRollback) bind first.

/**
 * Outputs in one stack. "AWS CloudFormation quotas": Outputs, 200 per
 * template. Every value another stack of the app imports is one export,
 * one output: the CDK adds them to the producing stack.
 */
export const CLOUDFORMATION_MAX_OUTPUTS = 200;
