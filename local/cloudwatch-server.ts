import { IncomingMessage } from 'http';
import {
  ALARM_STATES, ALARM_TYPES, AlarmView, CloudWatchState, DEFAULT_MAX_RECORDS, DescribeAlarmsFilter, MUTE_RULE_STATUSES, MuteRuleView, validationError,
} from './cloudwatch-state';
import { ErrorEncoding, ServiceError } from './service-error';
import { FaultOptions, Route, RunningService, ServiceProtocol, startService } from './service-server';
import { ClockOptions, VirtualClock } from './virtual-clock';
import { Rules } from '../src/contract';

// Which protocol: the CloudWatch model (botocore cloudwatch 2010-08-01)
// lists `protocols: ["smithy-rpc-v2-cbor", "json", "query"]` and carries the
// `awsQueryCompatible` trait. The pinned @aws-sdk/client-cloudwatch (3.1164.0)
// is generated for awsJson1_0 with awsQueryCompatible, and botocore picks
// `json` first of the protocols it supports, so the AWS CLI speaks the same:
// POST / with `X-Amz-Target: GraniteServiceVersion20100801.<Operation>`,
// `x-amzn-query-mode: true`, JSON bodies with epoch-second timestamps, and
// errors that carry their awsQuery code in `x-amzn-query-error: Code;Fault`.
// A request in either other protocol is answered with an error that says so.

export interface LocalCloudWatchOptions extends ClockOptions, FaultOptions {
  /**
   * Requests per second each named operation accepts, as CloudWatch's
   * per-account, per-Region API quotas do: a token bucket per operation that
   * holds one second's worth and refills continuously on the service clock. A
   * request that finds it empty is answered with CloudWatch's `Throttling`
   * error (400, Sender), which the SDKs retry. The CloudWatch service quotas
   * page gives DescribeAlarms 9 transactions per second by default
   * (`DESCRIBE_ALARMS_DEFAULT_TPS`).
   * @default - no operation is rate limited
   */
  readonly rateLimits?: Readonly<Record<string, number>>;
}

/** DescribeAlarms' default quota: 9 transactions per second per account and Region (CloudWatch User Guide, "CloudWatch service quotas"). */
export const DESCRIBE_ALARMS_DEFAULT_TPS = 9;

export interface LocalCloudWatch extends RunningService {
  readonly state: CloudWatchState;
}

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';
const JSON_CONTENT_TYPE = 'application/x-amz-json-1.0';

/**
 * The awsQuery code and fault of each error this service answers with, and
 * how its shape spells the message member. Codes and statuses are the model's
 * `error` traits; Throttling (400, Sender) is not modelled and comes from the
 * CloudWatch API Reference's "Common Errors", which the SDKs' retry
 * strategies know by that code.
 */
const ERRORS: Record<string, { readonly code: string; readonly fault: 'Sender' | 'Receiver'; readonly messageMember: string }> = {
  InvalidNextToken: { code: 'InvalidNextToken', fault: 'Sender', messageMember: 'message' },
  InvalidParameterCombinationException: { code: 'InvalidParameterCombination', fault: 'Sender', messageMember: 'message' },
  InvalidParameterValueException: { code: 'InvalidParameterValue', fault: 'Sender', messageMember: 'message' },
  MissingRequiredParameterException: { code: 'MissingParameter', fault: 'Sender', messageMember: 'message' },
  ResourceNotFound: { code: 'ResourceNotFound', fault: 'Sender', messageMember: 'message' },
  ValidationException: { code: 'ValidationError', fault: 'Sender', messageMember: 'message' },
  InternalServiceFault: { code: 'InternalServiceError', fault: 'Receiver', messageMember: 'Message' },
};

/**
 * awsJson1_0 under awsQueryCompatible: the shape id in `__type`, the awsQuery
 * code in `x-amzn-query-error`, which is what both SDKs report as the error's
 * code. An error the model does not define (Throttling) goes out under its
 * awsQuery code alone.
 */
export function queryCompatibleJsonError(error: ServiceError): ErrorEncoding {
  const known = Object.hasOwn(ERRORS, error.name) ? ERRORS[error.name] : undefined;
  const code = known?.code ?? error.name;
  const fault = known?.fault ?? (error.status >= 500 ? 'Receiver' : 'Sender');
  return {
    headers: {
      'content-type': JSON_CONTENT_TYPE,
      'x-amzn-query-error': `${code};${fault}`,
    },
    body: JSON.stringify({
      __type: known ? `com.amazonaws.cloudwatch#${error.name}` : code,
      [known?.messageMember ?? 'message']: error.message,
      ...error.fields,
    }),
  };
}

/** awsJson timestamps (the model's `Timestamp` has no timestampFormat) are epoch seconds. */
const epochSeconds = (ms: number) => ms / 1000;

/** Members both alarm shapes share. */
function alarmCommon(view: AlarmView) {
  return {
    AlarmName: view.name,
    AlarmArn: view.arn,
    AlarmDescription: view.description,
    AlarmConfigurationUpdatedTimestamp: epochSeconds(view.configuredAt),
    ActionsEnabled: view.actionsEnabled,
    OKActions: view.okActions,
    AlarmActions: view.alarmActions,
    InsufficientDataActions: view.insufficientDataActions,
    StateValue: view.state,
    StateReason: view.stateReason,
    StateUpdatedTimestamp: epochSeconds(view.stateUpdatedAt),
    StateTransitionedTimestamp: epochSeconds(view.stateTransitionedAt),
  };
}

/** The MetricAlarm shape, for a plain single-metric alarm. */
function metricAlarm(view: AlarmView) {
  return {
    ...alarmCommon(view),
    MetricName: view.metricName,
    Namespace: view.namespace,
    Statistic: 'Sum',
    Dimensions: [],
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'missing',
  };
}

/**
 * The LogAlarm shape: a CloudWatch Logs scheduled query compared with a
 * threshold (CloudWatch API Reference, LogAlarm and PutLogAlarm).
 */
function logAlarm(view: AlarmView) {
  return {
    ...alarmCommon(view),
    ScheduledQueryConfiguration: {
      QueryString: 'fields @timestamp | filter @message like /ERROR/',
      LogGroupIdentifiers: [`/aws/${view.namespace.toLowerCase()}`],
      ScheduledQueryRoleARN: `arn:aws:iam::${view.arn.split(':')[4]}:role/log-alarm-query`,
      ScheduleConfiguration: { ScheduleExpression: 'rate(1 minute)' },
      AggregationExpression: `count(*) as ${view.metricName}`,
    },
    QueryResultsToEvaluate: 1,
    QueryResultsToAlarm: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'missing',
  };
}

/** The CompositeAlarm shape. */
function compositeAlarm(view: AlarmView) {
  return {
    ...alarmCommon(view),
    AlarmRule: view.alarmRule,
    ActionsSuppressedBy: view.actionsSuppressedBy,
    ActionsSuppressedReason: view.actionsSuppressedReason,
    ActionsSuppressor: view.actionsSuppressor,
    ActionsSuppressorWaitPeriod: view.actionsSuppressorWaitPeriod,
    ActionsSuppressorExtensionPeriod: view.actionsSuppressorExtensionPeriod,
  };
}

/**
 * What DescribeAlarms returns of an alarm. ChildrenOfAlarmName returns "only
 * the Alarm Name, ARN, StateValue (OK/ALARM/INSUFFICIENT_DATA), and
 * StateUpdatedTimestamp", ParentsOfAlarmName "only the Alarm Name and ARN"
 * (the model's documentation of the two members).
 */
function described(view: AlarmView, fields: 'all' | 'children' | 'parents') {
  switch (fields) {
    case 'children':
      return { AlarmName: view.name, AlarmArn: view.arn, StateValue: view.state, StateUpdatedTimestamp: epochSeconds(view.stateUpdatedAt) };
    case 'parents':
      return { AlarmName: view.name, AlarmArn: view.arn };
    case 'all':
      return view.type === 'CompositeAlarm' ? compositeAlarm(view) : view.type === 'LogAlarm' ? logAlarm(view) : metricAlarm(view);
  }
}

/** An AlarmName (1 to 255 characters in the model). */
function alarmName(value: unknown, member: string): string {
  if (typeof value !== 'string' || value.length < 1 || [...value].length > Rules.MAX_ALARM_NAME_LENGTH) {
    throw validationError(member, value, `Member must have length between 1 and ${Rules.MAX_ALARM_NAME_LENGTH}`);
  }
  return value;
}

function optionalString(value: unknown, member: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length < 1 || value.length > max) {
    throw validationError(member, value, `Member must have length between 1 and ${max}`);
  }
  return value;
}

function alarmNames(value: unknown, member: string, required: boolean): string[] | undefined {
  if (value === undefined || value === null) {
    if (required) throw validationError(member, null, 'Member must not be null');
    return undefined;
  }
  if (!Array.isArray(value) || value.length > 100) {
    throw validationError(member, value, 'Member must be a list of at most 100 alarm names');
  }
  return value.map((name, index) => alarmName(name, `${member}.${index + 1}`));
}

function enumValue<T extends string>(value: unknown, member: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw validationError(member, value, `Member must satisfy enum value set: [${allowed.join(', ')}]`);
  }
  return value as T;
}

/** DescribeAlarms' input, held to the model's constraints; the filters in one fixed order. */
function describeAlarmsInput(input: Record<string, unknown>) {
  const maxRecords = input.MaxRecords ?? DEFAULT_MAX_RECORDS;
  if (typeof maxRecords !== 'number' || !Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 100) {
    throw validationError('maxRecords', input.MaxRecords, 'Member must be an integer between 1 and 100');
  }
  if (input.NextToken !== undefined && input.NextToken !== null && typeof input.NextToken !== 'string') {
    throw validationError('nextToken', input.NextToken, 'Member must be a string');
  }
  let alarmTypes: DescribeAlarmsFilter['AlarmTypes'];
  if (input.AlarmTypes !== undefined && input.AlarmTypes !== null) {
    if (!Array.isArray(input.AlarmTypes)) throw validationError('alarmTypes', input.AlarmTypes, 'Member must be a list');
    alarmTypes = input.AlarmTypes.map((type, index) => enumValue(type, `alarmTypes.${index + 1}`, ALARM_TYPES));
  }
  const filter: DescribeAlarmsFilter = {
    AlarmNames: alarmNames(input.AlarmNames, 'alarmNames', false),
    AlarmNamePrefix: optionalString(input.AlarmNamePrefix, 'alarmNamePrefix', Rules.MAX_ALARM_NAME_LENGTH),
    AlarmTypes: alarmTypes,
    ChildrenOfAlarmName: optionalString(input.ChildrenOfAlarmName, 'childrenOfAlarmName', Rules.MAX_ALARM_NAME_LENGTH),
    ParentsOfAlarmName: optionalString(input.ParentsOfAlarmName, 'parentsOfAlarmName', Rules.MAX_ALARM_NAME_LENGTH),
    StateValue: input.StateValue === undefined || input.StateValue === null ? undefined : enumValue(input.StateValue, 'stateValue', ALARM_STATES),
    ActionPrefix: optionalString(input.ActionPrefix, 'actionPrefix', 1024),
  };
  return { filter, maxRecords, nextToken: (input.NextToken ?? undefined) as string | undefined };
}

type Operation = (input: Record<string, unknown>) => unknown;

/** ListAlarmMuteRules' page size when MaxRecords is absent: "The default is 50" (CloudWatch API Reference). */
const MUTE_RULES_DEFAULT_MAX_RECORDS = 50;

/** A mute rule's AlarmMuteRuleSummary (CloudWatch API Reference). */
function muteRuleSummary(rule: MuteRuleView) {
  return {
    AlarmMuteRuleArn: rule.arn,
    ExpireDate: epochSeconds(rule.expiresAt),
    Status: rule.status,
    MuteType: 'ONE_TIME',
    LastUpdatedTimestamp: epochSeconds(rule.updatedAt),
  };
}

/** GetAlarmMuteRule's answer. */
function muteRule(rule: MuteRuleView) {
  return {
    ...muteRuleSummary(rule),
    Name: rule.name,
    Description: rule.description,
    MuteTargets: { AlarmNames: [...rule.alarmNames] },
    StartDate: epochSeconds(rule.startsAt),
    Rule: { Schedule: { Expression: `at(${new Date(rule.startsAt).toISOString().slice(0, 16)})`, Duration: `PT${Math.round((rule.expiresAt - rule.startsAt) / 60_000)}M` } },
  };
}

/**
 * A one-time schedule, `at(yyyy-MM-ddThh:mm)` in UTC (the Schedule shape's
 * documentation). Recurring `cron(...)` schedules are not modelled here.
 */
function atExpression(value: unknown): number {
  const match = typeof value === 'string' ? /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2})\)$/.exec(value) : null;
  const at = match ? Date.parse(`${match[1]}:00Z`) : NaN;
  if (Number.isNaN(at)) {
    throw validationError('rule.schedule.expression', value, 'This local CloudWatch models one-time schedules only: at(yyyy-MM-ddThh:mm), in UTC');
  }
  return at;
}

/** An ISO 8601 duration from PT1M to P15D (the Schedule shape's `Duration`). */
function isoDuration(value: unknown): number {
  const match = typeof value === 'string' ? /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(value) : null;
  const ms = match ? ((Number(match[1] ?? 0) * 24 + Number(match[2] ?? 0)) * 60 + Number(match[3] ?? 0)) * 60_000 : NaN;
  if (!(ms >= 60_000 && ms <= 15 * 86_400_000)) {
    throw validationError('rule.schedule.duration', value, 'Member must be an ISO 8601 duration from PT1M to P15D');
  }
  return ms;
}

/**
 * Per-operation token buckets on the service clock, one second deep: the
 * first `rate` requests of a burst pass, then one more every 1/rate seconds.
 */
function rateLimiter(limits: Readonly<Record<string, number>>, now: () => number): (operation: string) => boolean {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return (operation) => {
    const rate = Object.hasOwn(limits, operation) ? limits[operation] : undefined;
    if (rate === undefined) return true;
    const at = now();
    const bucket = buckets.get(operation) ?? { tokens: rate, at };
    bucket.tokens = Math.min(rate, bucket.tokens + ((at - bucket.at) / 1000) * rate);
    bucket.at = at;
    buckets.set(operation, bucket);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  };
}

function cloudWatchProtocol(state: CloudWatchState, admit: (operation: string) => boolean): ServiceProtocol {
  const operations: Record<string, Operation> = {
    DescribeAlarms: (input) => {
      const { filter, maxRecords, nextToken } = describeAlarmsInput(input);
      const page = state.describeAlarms(filter, maxRecords, nextToken);
      return {
        MetricAlarms: page.alarms.filter((view) => view.type === 'MetricAlarm').map((view) => described(view, page.fields)),
        CompositeAlarms: page.alarms.filter((view) => view.type === 'CompositeAlarm').map((view) => described(view, page.fields)),
        LogAlarms: page.alarms.filter((view) => view.type === 'LogAlarm').map((view) => described(view, page.fields)),
        NextToken: page.nextToken,
      };
    },
    ListAlarmMuteRules: (input) => {
      const maxRecords = input.MaxRecords ?? MUTE_RULES_DEFAULT_MAX_RECORDS;
      if (typeof maxRecords !== 'number' || !Number.isInteger(maxRecords) || maxRecords < 1 || maxRecords > 100) {
        throw validationError('maxRecords', input.MaxRecords, 'Member must be an integer between 1 and 100');
      }
      let statuses: (typeof MUTE_RULE_STATUSES)[number][] | undefined;
      if (input.Statuses !== undefined && input.Statuses !== null) {
        if (!Array.isArray(input.Statuses)) throw validationError('statuses', input.Statuses, 'Member must be a list');
        statuses = input.Statuses.map((status, index) => enumValue(status, `statuses.${index + 1}`, MUTE_RULE_STATUSES));
      }
      const alarmNameFilter = input.AlarmName === undefined || input.AlarmName === null ? undefined : alarmName(input.AlarmName, 'alarmName');
      const nextToken = optionalString(input.NextToken, 'nextToken', 4096);
      const page = state.listMuteRules({ alarmName: alarmNameFilter, statuses }, maxRecords, nextToken);
      return { AlarmMuteRuleSummaries: page.rules.map(muteRuleSummary), NextToken: page.nextToken };
    },
    GetAlarmMuteRule: (input) => muteRule(state.getMuteRule(alarmName(input.AlarmMuteRuleName, 'alarmMuteRuleName'))),
    PutAlarmMuteRule: (input) => {
      const name = alarmName(input.Name, 'name');
      const targets = input.MuteTargets as { AlarmNames?: unknown } | undefined;
      const names = alarmNames(targets?.AlarmNames, 'muteTargets.alarmNames', true)!;
      const schedule = (input.Rule as { Schedule?: { Expression?: unknown; Duration?: unknown } } | undefined)?.Schedule;
      state.putMuteRule({
        name,
        alarmNames: names,
        startsAt: atExpression(schedule?.Expression),
        durationMs: isoDuration(schedule?.Duration),
        description: optionalString(input.Description, 'description', 1024),
      });
      return {};
    },
    DeleteAlarmMuteRule: (input) => {
      state.deleteMuteRule(alarmName(input.AlarmMuteRuleName, 'alarmMuteRuleName'));
      return {};
    },
    DisableAlarmActions: (input) => {
      state.setActionsEnabled(alarmNames(input.AlarmNames, 'alarmNames', true)!, false);
      return {};
    },
    EnableAlarmActions: (input) => {
      state.setActionsEnabled(alarmNames(input.AlarmNames, 'alarmNames', true)!, true);
      return {};
    },
    SetAlarmState: (input) => {
      const name = alarmName(input.AlarmName, 'alarmName');
      const value = enumValue(input.StateValue, 'stateValue', ALARM_STATES);
      if (typeof input.StateReason !== 'string' || input.StateReason.length > Rules.MAX_STATE_REASON_LENGTH) {
        throw validationError('stateReason', input.StateReason, `Member must have length less than or equal to ${Rules.MAX_STATE_REASON_LENGTH}`);
      }
      state.setAlarmState(name, value, input.StateReason);
      return {};
    },
  };

  const route = (request: IncomingMessage, _url: URL, body: string): Route => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const contentType = String(request.headers['content-type'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation: Operation | undefined = Object.hasOwn(operations, name) ? operations[name] : undefined;
    let params: Record<string, unknown> = {};
    let refusal: ServiceError | undefined;
    if (!contentType.startsWith(JSON_CONTENT_TYPE)) {
      // rpcv2Cbor sends `smithy-protocol: rpc-v2-cbor` and application/cbor,
      // awsQuery a form body with `Action=`; neither is served here.
      refusal = new ServiceError('InvalidParameterValueException', 400,
        `This local CloudWatch speaks awsJson1_0 (content-type ${JSON_CONTENT_TYPE}, X-Amz-Target ${TARGET_PREFIX}<Operation>), `
        + `the protocol of @aws-sdk/client-cloudwatch and the AWS CLI; got content-type ${JSON.stringify(contentType)}.`);
    } else {
      try {
        const parsed: unknown = body ? JSON.parse(body) : {};
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        params = parsed as Record<string, unknown>;
      } catch {
        refusal = new ServiceError('SerializationException', 400, 'The request body is not a JSON object.');
      }
    }
    return {
      operation: operation ? name : 'Unknown',
      params,
      invoke: () => {
        if (refusal) throw refusal;
        if (!operation) {
          throw new ServiceError('UnknownOperationException', 400,
            `Unknown operation ${JSON.stringify(target)}; this local CloudWatch serves ${Object.keys(operations).join(', ')}.`);
        }
        if (!admit(name)) {
          // The shape of CloudWatch's own throttle: code Throttling, 400, Sender ("Common Errors").
          throw new ServiceError('Throttling', 400, 'Rate exceeded');
        }
        return { status: 200, body: operation(params) };
      },
    };
  };

  return {
    route,
    contentType: JSON_CONTENT_TYPE,
    encodeError: queryCompatibleJsonError,
    throttlingError: () => new ServiceError('Throttling', 400, 'Rate exceeded'),
    internalError: (message) => new ServiceError('InternalServiceFault', 500, message),
  };
}

/**
 * Starts a local Amazon CloudWatch (DescribeAlarms, SetAlarmState,
 * DisableAlarmActions, EnableAlarmActions, and the alarm mute rules'
 * PutAlarmMuteRule, GetAlarmMuteRule, ListAlarmMuteRules and
 * DeleteAlarmMuteRule) on 127.0.0.1 and a random port.
 * Point the real CloudWatchClient, or `aws cloudwatch --endpoint-url`, at
 * `endpoint` with any static credentials.
 */
export async function startLocalCloudWatch(options: LocalCloudWatchOptions = {}): Promise<LocalCloudWatch> {
  const clock = new VirtualClock(options);
  const state = new CloudWatchState(clock);
  const service = await startService(cloudWatchProtocol(state, rateLimiter(options.rateLimits ?? {}, () => clock.now())), clock, options);
  return { ...service, state };
}
