import { IncomingMessage } from 'http';
import { AlarmView, CloudWatchState, DEFAULT_MAX_RECORDS, DescribeAlarmsFilter, MuteRuleStatus, MuteRuleView, validationError } from './cloudwatch-state';
import cloudWatchRules from './models/cloudwatch.rules.json';
import { ErrorEncoding, ServiceError } from './service-error';
import { amend, EnumAmendment, ServiceRules } from './service-model';
import { FaultOptions, Route, RunningService, ServiceProtocol, startService } from './service-server';
import { ClockOptions, VirtualClock } from './virtual-clock';

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
 * Values the botocore model lacks but CloudWatch has. The AlarmType enum of
 * botocore cloudwatch 2010-08-01 (botocore 1.43.11) names CompositeAlarm and
 * MetricAlarm only, while the model @aws-sdk/client-cloudwatch 3.1178.0 is
 * generated from adds LogAlarm (DescribeAlarms returns log alarms in
 * `LogAlarms` when `AlarmTypes` names it), and the handler asks for it.
 * test/local/service-models.test.ts fails once botocore has it, so this goes then.
 */
export const CLOUDWATCH_AMENDMENTS: readonly EnumAmendment[] = [
  { shape: 'AlarmType', value: 'LogAlarm', source: '@aws-sdk/client-cloudwatch AlarmType.LogAlarm' },
];

/** The rules of the CloudWatch model (botocore cloudwatch 2010-08-01) for the operations served here, amended as above. */
export const CLOUDWATCH_RULES = amend(cloudWatchRules as ServiceRules, CLOUDWATCH_AMENDMENTS);

/**
 * The awsQuery code and fault of each error this service answers with, and
 * how its shape spells the message member. Codes and statuses are the model's
 * `error` traits. The codes without a shape in the operations' error lists
 * are CloudWatch's common errors (CloudWatch API Reference, "Common Errors":
 * InternalFailure 500, InvalidParameterCombination, InvalidParameterValue,
 * Throttling, ValidationError, all 400), which the SDKs know by code.
 */
const ERRORS: Record<string, { readonly code: string; readonly fault: 'Sender' | 'Receiver'; readonly messageMember: string }> = {
  InvalidNextToken: { code: 'InvalidNextToken', fault: 'Sender', messageMember: 'message' },
  InvalidParameterCombinationException: { code: 'InvalidParameterCombination', fault: 'Sender', messageMember: 'message' },
  InvalidParameterValueException: { code: 'InvalidParameterValue', fault: 'Sender', messageMember: 'message' },
  ResourceNotFound: { code: 'ResourceNotFound', fault: 'Sender', messageMember: 'message' },
  ResourceNotFoundException: { code: 'ResourceNotFoundException', fault: 'Sender', messageMember: 'message' },
  ValidationException: { code: 'ValidationError', fault: 'Sender', messageMember: 'message' },
};

/**
 * The codes this service answers besides those the model lists per
 * operation: those of CloudWatch's "Common Errors" it uses (see ERRORS), and
 * awsJson's SerializationException for a body it cannot read.
 */
export const CLOUDWATCH_COMMON_ERRORS: readonly string[] = ['InternalFailure', 'InvalidParameterCombination', 'InvalidParameterValue', 'SerializationException', 'Throttling', 'ValidationError'];

/** The code a client reports for a CloudWatch error (see ERRORS). */
const codeOf = (error: ServiceError) => (Object.hasOwn(ERRORS, error.name) ? ERRORS[error.name].code : error.name);

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

/**
 * A list member the model leaves optional, as an array once the model's
 * rules have passed it (absent is undefined).
 */
const list = <T>(value: unknown): T[] | undefined => (value === undefined || value === null ? undefined : value as T[]);

/** DescribeAlarms' input (it has passed the model's rules); the filters in one fixed order. */
function describeAlarmsInput(input: Record<string, any>) {
  const filter: DescribeAlarmsFilter = {
    AlarmNames: list(input.AlarmNames),
    AlarmNamePrefix: input.AlarmNamePrefix ?? undefined,
    AlarmTypes: list(input.AlarmTypes),
    ChildrenOfAlarmName: input.ChildrenOfAlarmName ?? undefined,
    ParentsOfAlarmName: input.ParentsOfAlarmName ?? undefined,
    StateValue: input.StateValue ?? undefined,
    ActionPrefix: input.ActionPrefix ?? undefined,
  };
  return { filter, maxRecords: (input.MaxRecords ?? DEFAULT_MAX_RECORDS) as number, nextToken: (input.NextToken ?? undefined) as string | undefined };
}

type Operation = (input: Record<string, any>) => unknown;

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
      const filter = { alarmName: input.AlarmName ?? undefined, statuses: list<MuteRuleStatus>(input.Statuses) };
      const page = state.listMuteRules(filter, maxRecords, input.NextToken ?? undefined);
      return { AlarmMuteRuleSummaries: page.rules.map(muteRuleSummary), NextToken: page.nextToken };
    },
    GetAlarmMuteRule: (input) => muteRule(state.getMuteRule(input.AlarmMuteRuleName)),
    PutAlarmMuteRule: (input) => {
      // The model leaves MuteTargets optional; a rule that mutes nothing is
      // nothing this local CloudWatch can show, so it asks for the targets.
      if (!input.MuteTargets) {
        throw validationError('muteTargets', null, 'This local CloudWatch needs MuteTargets.AlarmNames: the alarms the rule mutes');
      }
      const schedule = input.Rule.Schedule;
      state.putMuteRule({
        name: input.Name,
        alarmNames: input.MuteTargets.AlarmNames,
        startsAt: atExpression(schedule.Expression),
        durationMs: isoDuration(schedule.Duration),
        description: input.Description ?? undefined,
      });
      return {};
    },
    DeleteAlarmMuteRule: (input) => {
      state.deleteMuteRule(input.AlarmMuteRuleName);
      return {};
    },
    DisableAlarmActions: (input) => {
      state.setActionsEnabled(input.AlarmNames, false);
      return {};
    },
    EnableAlarmActions: (input) => {
      state.setActionsEnabled(input.AlarmNames, true);
      return {};
    },
    SetAlarmState: (input) => {
      state.setAlarmState(input.AlarmName, input.StateValue, input.StateReason);
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
      refusal,
      invoke: (input) => {
        if (!operation) {
          throw new ServiceError('UnknownOperationException', 400,
            `Unknown operation ${JSON.stringify(target)}; this local CloudWatch serves ${Object.keys(operations).join(', ')}.`);
        }
        if (!admit(name)) {
          // The shape of CloudWatch's own throttle: code Throttling, 400, Sender ("Common Errors").
          throw new ServiceError('Throttling', 400, 'Rate exceeded');
        }
        return { status: 200, body: operation(input) };
      },
    };
  };

  return {
    route,
    rules: CLOUDWATCH_RULES,
    // A constraint of the model broken: ValidationError (see validationError).
    invalid: (message) => new ServiceError('ValidationException', 400, message),
    contentType: JSON_CONTENT_TYPE,
    encodeError: queryCompatibleJsonError,
    errorCode: codeOf,
    commonErrors: CLOUDWATCH_COMMON_ERRORS,
    throttlingError: () => new ServiceError('Throttling', 400, 'Rate exceeded'),
    // The model lists InternalServiceFault for none of the operations served
    // here; CloudWatch's common InternalFailure (500) is what any may answer.
    internalError: (message) => new ServiceError('InternalFailure', 500, message),
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
