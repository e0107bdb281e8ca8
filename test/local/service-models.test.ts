import { readFileSync } from 'fs';
import { AppConfigClient, GetDeploymentCommand, ListDeploymentsCommand, StartDeploymentCommand } from '@aws-sdk/client-appconfig';
import { AlarmType, CloudWatchClient, DescribeAlarmsCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DeploymentUpdateType, ProtonClient, UpdateEnvironmentCommand } from '@aws-sdk/client-proton';
import { APP, APPCONFIG_SEED, appConfigClient, CREDENTIALS, ENV, MINUTE, protonClient, sdkError } from './support';
import {
  APPCONFIG_COMMON_ERRORS, APPCONFIG_RULES, CLOUDFORMATION_RULES, CLOUDWATCH_AMENDMENTS, CLOUDWATCH_COMMON_ERRORS, CLOUDWATCH_RULES, errorCode,
  missingOutput, PROTON_COMMON_ERRORS, PROTON_RULES, RunningService, ServiceError, ServiceRules, startLocalAppConfig, startLocalCloudWatch,
  startLocalProton, startService, VirtualClock,
} from '../../local';
import { botocoreDataDir, botocoreVersion, renderRules, rulesFile, SERVED, ServedService, serviceRules } from '../../tools/service-rules';

// The local services take their request rules from AWS's service models
// (local/models/<service>.rules.json, from botocore), not from the construct's
// contract. This suite holds them to those models: the committed rules are
// what the installed botocore says, every operation served is modelled and
// answers only the errors its model lists (or the service's common errors),
// and every answer carries the members the model requires.

/**
 * The services that speak JSON (restJson, awsJson), which this suite sends
 * requests to. The local CloudFormation speaks awsQuery (form bodies, XML
 * answers): its rules file is held to botocore below with the others, and
 * test/local/cloudformation-server.test.ts drives it through the same rules
 * over its own protocol.
 */
type JsonService = Exclude<ServedService, 'cloudformation'>;
const JSON_SERVICES: readonly JsonService[] = ['appconfig', 'cloudwatch', 'proton'];

const RULES: Record<JsonService, ServiceRules> = { appconfig: APPCONFIG_RULES, cloudwatch: CLOUDWATCH_RULES, proton: PROTON_RULES };

/**
 * The codes each service may answer any operation with besides the model's,
 * as its API Reference's "Common Errors" and its protocol give them. Stated
 * here, apart from the services, so widening a service's list is a visible
 * change to this test.
 */
const COMMON: Record<JsonService, readonly string[]> = {
  appconfig: ['ThrottlingException'],
  cloudwatch: ['InternalFailure', 'InvalidParameterCombination', 'InvalidParameterValue', 'SerializationException', 'Throttling', 'ValidationError'],
  proton: ['SerializationException'],
};

/** The code each service answers a request that breaks its model's constraints with. */
const INVALID: Record<JsonService, string> = { appconfig: 'BadRequestException', cloudwatch: 'ValidationError', proton: 'ValidationException' };

const allowed = (service: JsonService, operation: string) =>
  [...RULES[service].operations[operation].errors.map((name) => errorCode(RULES[service], name)), ...COMMON[service]];

interface Answer {
  readonly status: number;
  readonly code?: string;
  readonly body: any;
}

/**
 * Sends `input` to `operation` over the wire as the model binds it: restJson
 * by method, URI template, query string, headers and body; awsJson to
 * `POST /` under `X-Amz-Target`.
 */
async function send(service: JsonService, endpoint: string, operation: string, input: Record<string, unknown>): Promise<Answer> {
  const rules = RULES[service];
  const { http } = rules.operations[operation];
  const shape = rules.shapes[rules.operations[operation].input!];
  let path = http.requestUri;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  let body: Record<string, unknown> = {};
  if (rules.protocol === 'rest-json') {
    headers['content-type'] = 'application/json';
    for (const [name, value] of Object.entries(input)) {
      const member = shape.members?.[name];
      const wireName = member?.locationName ?? name;
      if (member?.location === 'uri') path = path.replace(`{${wireName}}`, encodeURIComponent(String(value)));
      else if (member?.location === 'querystring') query.set(wireName, String(value));
      else if (member?.location === 'header') headers[wireName.toLowerCase()] = String(value);
      else body[name] = value;
    }
  } else {
    headers['content-type'] = 'application/x-amz-json-1.0';
    headers['x-amz-target'] = `${(rules as ServiceRules & { targetPrefix: string }).targetPrefix}.${operation}`;
    body = input;
  }
  const search = query.toString();
  const url = `${endpoint}${path}${search ? `?${search}` : ''}`;
  const withBody = http.method !== 'GET' && http.method !== 'DELETE';
  const response = await fetch(url, { method: http.method, headers, body: withBody ? JSON.stringify(body) : undefined });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  const code = response.headers.get('x-amzn-query-error')?.split(';')[0]
    ?? response.headers.get('x-amzn-errortype')?.split(':')[0]
    ?? (response.status >= 400 ? parsed.__type : undefined);
  return { status: response.status, code, body: parsed };
}

interface Case {
  readonly operation: string;
  readonly why: string;
  readonly input: Record<string, unknown>;
  /** `ok`, or the code expected. */
  readonly answers: string;
}

const T0 = Date.parse('2026-11-20T14:03:11.250Z');
const AT = (ms: number) => `at(${new Date(ms).toISOString().slice(0, 16)})`;

/** Per service: how to seed it, then one case for each answer an operation gives, in order. */
const SCENARIOS: Record<JsonService, { readonly start: () => Promise<RunningService & { state: any }>; readonly cases: readonly Case[] }> = {
  appconfig: {
    start: async () => {
      const service = await startLocalAppConfig({ clock: () => T0 });
      service.state.seed({ ...APPCONFIG_SEED, deployments: [{ applicationId: APP, environmentId: ENV, deploymentStrategyId: 'lin25', startedAt: T0 - 60 * MINUTE }] });
      return service;
    },
    cases: [
      { operation: 'CreateApplication', why: 'a new application', input: { Name: 'payments' }, answers: 'ok' },
      { operation: 'CreateEnvironment', why: 'a new environment', input: { ApplicationId: APP, Name: 'staging' }, answers: 'ok' },
      { operation: 'CreateEnvironment', why: 'an unknown application', input: { ApplicationId: 'nope123', Name: 'staging' }, answers: 'ResourceNotFoundException' },
      { operation: 'CreateDeploymentStrategy', why: 'a new strategy', input: { Name: 'fast', DeploymentDurationInMinutes: 1, GrowthFactor: 50 }, answers: 'ok' },
      { operation: 'GetEnvironment', why: 'a known environment', input: { ApplicationId: APP, EnvironmentId: ENV }, answers: 'ok' },
      { operation: 'GetEnvironment', why: 'an unknown environment', input: { ApplicationId: APP, EnvironmentId: 'nope123' }, answers: 'ResourceNotFoundException' },
      { operation: 'ListDeployments', why: 'a page', input: { ApplicationId: APP, EnvironmentId: ENV, MaxResults: 1 }, answers: 'ok' },
      { operation: 'ListDeployments', why: 'a token not issued', input: { ApplicationId: APP, EnvironmentId: ENV, NextToken: 'garbage' }, answers: 'BadRequestException' },
      { operation: 'ListDeployments', why: 'an unknown environment', input: { ApplicationId: APP, EnvironmentId: 'nope123' }, answers: 'ResourceNotFoundException' },
      { operation: 'GetDeployment', why: 'a known deployment', input: { ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: 1 }, answers: 'ok' },
      { operation: 'GetDeployment', why: 'an unknown deployment', input: { ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: 99 }, answers: 'ResourceNotFoundException' },
      { operation: 'StopDeployment', why: 'a COMPLETE deployment without AllowRevert', input: { ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: 1 }, answers: 'BadRequestException' },
      {
        operation: 'StartDeployment',
        why: 'a new deployment',
        input: { ApplicationId: APP, EnvironmentId: ENV, DeploymentStrategyId: 'lin25', ConfigurationProfileId: 'prof1', ConfigurationVersion: '2' },
        answers: 'ok',
      },
      {
        operation: 'StartDeployment',
        why: 'a second while one is in progress',
        input: { ApplicationId: APP, EnvironmentId: ENV, DeploymentStrategyId: 'lin25', ConfigurationProfileId: 'prof1', ConfigurationVersion: '3' },
        answers: 'ConflictException',
      },
      { operation: 'StopDeployment', why: 'the deployment in progress', input: { ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: 2, AllowRevert: true }, answers: 'ok' },
    ],
  },
  cloudwatch: {
    start: async () => {
      const service = await startLocalCloudWatch({ clock: () => T0 });
      service.state.seed({
        alarms: [{ name: 'checkout-errors', state: 'ALARM' }, { name: 'checkout-log-errors', type: 'LogAlarm' }],
        muteRules: [{ name: 'deploy-window', alarmNames: ['checkout-errors'] }],
      });
      return service;
    },
    cases: [
      { operation: 'DescribeAlarms', why: 'every type of alarm', input: { AlarmTypes: ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'] }, answers: 'ok' },
      { operation: 'DescribeAlarms', why: 'a token not issued', input: { NextToken: 'garbage' }, answers: 'InvalidNextToken' },
      { operation: 'DescribeAlarms', why: 'AlarmNames with AlarmNamePrefix', input: { AlarmNames: ['a'], AlarmNamePrefix: 'a' }, answers: 'InvalidParameterCombination' },
      { operation: 'SetAlarmState', why: 'a known alarm', input: { AlarmName: 'checkout-errors', StateValue: 'OK', StateReason: 'test' }, answers: 'ok' },
      { operation: 'SetAlarmState', why: 'an unknown alarm', input: { AlarmName: 'nope', StateValue: 'OK', StateReason: 'test' }, answers: 'ResourceNotFound' },
      { operation: 'DisableAlarmActions', why: 'a known alarm', input: { AlarmNames: ['checkout-errors'] }, answers: 'ok' },
      { operation: 'EnableAlarmActions', why: 'a known alarm and an unknown one', input: { AlarmNames: ['checkout-errors', 'nope'] }, answers: 'ok' },
      {
        operation: 'PutAlarmMuteRule',
        why: 'a one-time rule',
        input: { Name: 'window-2', Rule: { Schedule: { Expression: AT(T0 + MINUTE), Duration: 'PT30M' } }, MuteTargets: { AlarmNames: ['checkout-errors'] } },
        answers: 'ok',
      },
      {
        operation: 'PutAlarmMuteRule',
        why: 'a recurring schedule, which this local CloudWatch does not model',
        input: { Name: 'weekly', Rule: { Schedule: { Expression: 'cron(0 2 ? * SUN *)', Duration: 'PT1H' } }, MuteTargets: { AlarmNames: ['checkout-errors'] } },
        answers: 'ValidationError',
      },
      { operation: 'GetAlarmMuteRule', why: 'a known rule', input: { AlarmMuteRuleName: 'deploy-window' }, answers: 'ok' },
      { operation: 'GetAlarmMuteRule', why: 'an unknown rule', input: { AlarmMuteRuleName: 'nope' }, answers: 'ResourceNotFoundException' },
      { operation: 'ListAlarmMuteRules', why: 'the rules of an alarm', input: { AlarmName: 'checkout-errors', MaxRecords: 1 }, answers: 'ok' },
      { operation: 'ListAlarmMuteRules', why: 'a token not issued', input: { NextToken: 'garbage' }, answers: 'InvalidNextToken' },
      { operation: 'DeleteAlarmMuteRule', why: 'a known rule', input: { AlarmMuteRuleName: 'window-2' }, answers: 'ok' },
      { operation: 'DeleteAlarmMuteRule', why: 'an unknown rule (the model lists no error)', input: { AlarmMuteRuleName: 'window-2' }, answers: 'ok' },
    ],
  },
  proton: {
    start: async () => {
      const service = await startLocalProton({ clock: () => T0 });
      service.state.seed({ environments: [{ name: 'prod' }, { name: 'idle' }, { name: 'busy', deploymentStatus: 'IN_PROGRESS' }] });
      return service;
    },
    cases: [
      { operation: 'GetEnvironment', why: 'a known environment', input: { name: 'prod' }, answers: 'ok' },
      { operation: 'GetEnvironment', why: 'an unknown environment', input: { name: 'nope' }, answers: 'ResourceNotFoundException' },
      { operation: 'ListEnvironments', why: 'a page', input: { maxResults: 1 }, answers: 'ok' },
      { operation: 'ListEnvironments', why: 'a token not issued', input: { nextToken: 'garbage' }, answers: 'ValidationException' },
      { operation: 'CreateEnvironment', why: 'a new environment', input: { name: 'dev', templateName: 'vpc', templateMajorVersion: '1', spec: 'spec' }, answers: 'ok' },
      { operation: 'CreateEnvironment', why: 'an existing name', input: { name: 'prod', templateName: 'vpc', templateMajorVersion: '1', spec: 'spec' }, answers: 'ConflictException' },
      { operation: 'UpdateEnvironment', why: 'an idle environment', input: { name: 'prod', deploymentType: 'CURRENT_VERSION' }, answers: 'ok' },
      { operation: 'UpdateEnvironment', why: 'a deployment in progress', input: { name: 'busy', deploymentType: 'CURRENT_VERSION' }, answers: 'ConflictException' },
      { operation: 'CancelEnvironmentDeployment', why: 'a deployment in progress', input: { environmentName: 'busy' }, answers: 'ok' },
      { operation: 'CancelEnvironmentDeployment', why: 'nothing in progress', input: { environmentName: 'idle' }, answers: 'ValidationException' },
      { operation: 'CancelEnvironmentDeployment', why: 'an unknown environment', input: { environmentName: 'nope' }, answers: 'ResourceNotFoundException' },
    ],
  },
};

describe.each(Object.keys(SERVED) as ServedService[])('the local %s\'s rules file', (service) => {
  it('is equal to the installed botocore\'s model (after a botocore upgrade: npx projen service-rules)', () => {
    const dataDir = botocoreDataDir();
    const committed = readFileSync(rulesFile(service), 'utf8');
    const regenerated = renderRules(serviceRules(dataDir, service));

    expect({ file: rulesFile(service), botocore: botocoreVersion(dataDir), rules: regenerated })
      .toEqual({ file: rulesFile(service), botocore: botocoreVersion(dataDir), rules: committed });
  });

  it('is the one the local service validates with', () => {
    const inUse: Record<ServedService, ServiceRules> = { ...RULES, cloudformation: CLOUDFORMATION_RULES };
    const committed = JSON.parse(readFileSync(rulesFile(service), 'utf8')) as ServiceRules;
    // CloudWatch's rules carry amendments (CLOUDWATCH_AMENDMENTS), checked below; everything else is the file's.
    expect({ ...inUse[service], shapes: undefined }).toEqual({ ...committed, shapes: undefined });
    expect(Object.keys(inUse[service].shapes)).toEqual(Object.keys(committed.shapes));
  });
});

describe.each(JSON_SERVICES)('the local %s against its service model', (service) => {
  const rules = RULES[service];
  let running: RunningService & { state: any };

  beforeAll(async () => {
    running = await SCENARIOS[service].start();
  });

  afterAll(async () => {
    await running.close();
  });

  afterEach(() => {
    // Every answer the service gave was one its model allows.
    expect(running.requests.filter((request) => request.defect !== undefined).map((request) => request.defect)).toEqual([]);
  });

  it('serves exactly the modelled operations, each routed by its model binding', async () => {
    const served = Object.keys(rules.operations);
    expect(served).toEqual([...SERVED[service].operations]);
    for (const operation of served) {
      const before = running.requests.length;
      await send(service, running.endpoint, operation, {});
      expect(running.requests.slice(before).map((request) => request.operation)).toEqual([operation]);
    }
  });

  it('answers each case with what it expects, and only with errors the model lists for the operation or common errors', async () => {
    const cases = SCENARIOS[service].cases;
    const answered: [string, string, string][] = [];
    for (const { operation, why, input } of cases) {
      const answer = await send(service, running.endpoint, operation, input);
      answered.push([operation, why, answer.code ?? 'ok']);
      if (answer.code === undefined) {
        expect({ operation, status: answer.status }).toEqual({ operation, status: rules.operations[operation].http.responseCode ?? 200 });
        expect({ operation, missing: missingOutput(rules, operation, answer.body) }).toEqual({ operation, missing: [] });
      } else {
        expect({ operation, why, allowed: allowed(service, operation).includes(answer.code) }).toEqual({ operation, why, allowed: true });
      }
    }

    expect(answered).toEqual(cases.map(({ operation, why, answers }) => [operation, why, answers]));
    // Every modelled operation has at least one answer that succeeds.
    expect(new Set(cases.filter((c) => c.answers === 'ok').map((c) => c.operation))).toEqual(new Set(Object.keys(rules.operations)));
  });

  it('refuses a request without each required member, naming it, with the service\'s validation error', async () => {
    const checked: string[] = [];
    for (const { operation, input, answers } of SCENARIOS[service].cases.filter((c) => c.answers === 'ok')) {
      const shape = rules.shapes[rules.operations[operation].input!];
      // A URI label cannot be left out of a URL: that would be another path.
      const omittable = (shape.required ?? []).filter((name) => shape.members?.[name]?.location !== 'uri');
      for (const name of omittable) {
        const { [name]: _left, ...rest } = input;
        const answer = await send(service, running.endpoint, operation, rest);
        expect({ operation, name, answers, code: answer.code }).toEqual({ operation, name, answers, code: INVALID[service] });
        const member = name.charAt(0).toLowerCase() + name.slice(1);
        expect(JSON.stringify(answer.body)).toContain(`at '${member}' failed to satisfy constraint: Member must not be null`);
        checked.push(`${operation}.${name}`);
      }
    }
    expect(checked.length).toBeGreaterThan(0);
  });

  it('throttles and fails with codes the service may answer on every operation', async () => {
    for (const operation of Object.keys(rules.operations)) {
      running.faults.add({ operation, fault: 'throttle', times: 1 });
      running.faults.add({ operation, fault: 'serverError', times: 1 });
      const throttled = await send(service, running.endpoint, operation, {});
      const failed = await send(service, running.endpoint, operation, {});

      expect({ operation, code: throttled.code, allowed: allowed(service, operation).includes(throttled.code!) })
        .toEqual({ operation, code: throttled.code, allowed: true });
      expect({ operation, code: failed.code, status: failed.status, allowed: allowed(service, operation).includes(failed.code!) })
        .toEqual({ operation, code: failed.code, status: 500, allowed: true });
    }
  });
});

describe('what the services may answer besides the model', () => {
  it('is the common errors of each API Reference, and nothing the test does not state', () => {
    expect({ appconfig: APPCONFIG_COMMON_ERRORS, cloudwatch: CLOUDWATCH_COMMON_ERRORS, proton: PROTON_COMMON_ERRORS }).toEqual(COMMON);
  });

  it('amends the CloudWatch model only with values the SDK\'s newer model has and botocore\'s still lacks', () => {
    const botocore = serviceRules(botocoreDataDir(), 'cloudwatch') as unknown as ServiceRules;
    for (const { shape, value } of CLOUDWATCH_AMENDMENTS) {
      // Once botocore has it, remove the amendment from local/cloudwatch-server.ts.
      expect({ shape, value, inBotocore: botocore.shapes[shape].enum?.includes(value) }).toEqual({ shape, value, inBotocore: false });
      expect(CLOUDWATCH_RULES.shapes[shape].enum).toContain(value);
    }
    expect(Object.values(AlarmType)).toContain('LogAlarm');
  });
});

describe('the model guard of every local service', () => {
  const clock = () => new VirtualClock({ clock: () => T0 });
  // A service held to Proton's rules and speaking its protocol, answering every request through `route`.
  const protonShapedService = (route: Parameters<typeof startService>[0]['route']) => startService({
    rules: PROTON_RULES,
    invalid: (message) => new ServiceError('ValidationException', 400, message),
    commonErrors: [],
    errorCode: (error) => error.name,
    contentType: 'application/x-amz-json-1.0',
    encodeError: (error) => ({ headers: { 'x-amzn-errortype': error.name }, body: JSON.stringify({ message: error.message }) }),
    throttlingError: () => new ServiceError('ThrottlingException', 400, 'Rate exceeded'),
    route,
  }, clock());

  it('answers an internal error, and records the defect, when an operation answers an error its model does not list', async () => {
    const service = await protonShapedService(() => ({
      operation: 'GetEnvironment',
      params: { name: 'prod' },
      invoke: () => {
        throw new ServiceError('ServiceQuotaExceededException', 402, 'not for GetEnvironment');
      },
    }));
    try {
      const answer = await fetch(service.endpoint, { method: 'POST', body: '{}' });

      expect(answer.status).toBe(500);
      expect(answer.headers.get('x-amzn-errortype')).toBe('InternalServerException');
      expect(service.requests[0].defect).toMatch(/answered GetEnvironment with ServiceQuotaExceededException .*does not list/);
    } finally {
      await service.close();
    }
  });

  it('answers an internal error, and records the defect, when an answer lacks a member the model requires', async () => {
    const service = await protonShapedService(() => ({
      operation: 'GetEnvironment',
      params: { name: 'prod' },
      invoke: () => ({ status: 200, body: { environment: { name: 'prod', arn: 'arn:aws:proton:us-east-1:123456789012:environment/prod' } } }),
    }));
    try {
      const answer = await fetch(service.endpoint, { method: 'POST', body: '{}' });

      expect(answer.status).toBe(500);
      expect(service.requests[0].defect).toMatch(/without environment\.createdAt, .*environment\.templateName/);
    } finally {
      await service.close();
    }
  });
});

describe('requests the models forbid, through the real SDK v3 clients', () => {
  let appConfig: Awaited<ReturnType<typeof startLocalAppConfig>>;
  let cloudWatch: Awaited<ReturnType<typeof startLocalCloudWatch>>;
  let proton: Awaited<ReturnType<typeof startLocalProton>>;
  let clients: { appConfig: AppConfigClient; cloudWatch: CloudWatchClient; proton: ProtonClient };

  beforeAll(async () => {
    [appConfig, cloudWatch, proton] = await Promise.all([startLocalAppConfig(), startLocalCloudWatch(), startLocalProton()]);
    appConfig.state.seed(APPCONFIG_SEED);
    cloudWatch.state.seed({ alarms: [{ name: 'checkout-errors' }] });
    proton.state.seed({ environments: [{ name: 'prod' }] });
    clients = {
      appConfig: appConfigClient(appConfig.endpoint),
      cloudWatch: new CloudWatchClient({ endpoint: cloudWatch.endpoint, region: 'us-east-1', credentials: CREDENTIALS }),
      proton: protonClient(proton.endpoint),
    };
  });

  afterAll(async () => {
    Object.values(clients).forEach((client) => client.destroy());
    await Promise.all([appConfig.close(), cloudWatch.close(), proton.close()]);
  });

  it('refuses an AppConfig DeploymentNumber that is not an integer with BadRequestException, naming the member', async () => {
    const error = await sdkError(clients.appConfig.send(new GetDeploymentCommand({
      ApplicationId: APP, EnvironmentId: ENV, DeploymentNumber: 'latest' as unknown as number,
    })));

    expect(error.name).toBe('BadRequestException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toBe("1 validation error detected: Value 'latest' at 'deploymentNumber' failed to satisfy constraint: Member must be an integer");
  });

  it('refuses a deployment strategy ID that breaks the model\'s DeploymentStrategyId pattern, before looking it up', async () => {
    const error = await sdkError(clients.appConfig.send(new StartDeploymentCommand({
      ApplicationId: APP, EnvironmentId: ENV, DeploymentStrategyId: 'linear25', ConfigurationProfileId: 'prof1', ConfigurationVersion: '1',
    })));

    expect(error.name).toBe('BadRequestException');
    expect(error.message).toContain(`at 'deploymentStrategyId' failed to satisfy constraint: Member must satisfy regular expression pattern: ${APPCONFIG_RULES.shapes.DeploymentStrategyId.pattern}`);
    expect(appConfig.state.listDeployments(APP, ENV)).toEqual([]);
  });

  it('refuses ListDeployments MaxResults above the model\'s 50, and lists every violation of a request in one answer', async () => {
    const error = await sdkError(clients.appConfig.send(new ListDeploymentsCommand({ ApplicationId: 'My-App', EnvironmentId: ENV, MaxResults: 51 })));

    expect(error.name).toBe('BadRequestException');
    expect(error.message).toMatch(/^2 validation errors detected: Value 'My-App' at 'applicationId' .*; Value 51 at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 50$/);
  });

  it('refuses a DescribeAlarms AlarmNames list longer than the model\'s 100, and an alarm type the models do not name', async () => {
    const tooMany = await sdkError(clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmNames: Array.from({ length: 101 }, (_, i) => `alarm-${i}`) })));
    const badType = await sdkError(clients.cloudWatch.send(new DescribeAlarmsCommand({ AlarmTypes: ['SloAlarm' as AlarmType] })));

    for (const error of [tooMany, badType]) {
      expect(error.name).toBe('ValidationException');
      expect((error as unknown as { Code: string }).Code).toBe('ValidationError');
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
    expect(tooMany.message).toContain("at 'alarmNames' failed to satisfy constraint: Member must have length less than or equal to 100");
    expect(badType.message).toContain("Value 'SloAlarm' at 'alarmTypes.1' failed to satisfy constraint: Member must satisfy enum value set: [CompositeAlarm, MetricAlarm, LogAlarm]");
  });

  it('refuses a SetAlarmState reason longer than the model\'s 1023 characters, and leaves the alarm as it was', async () => {
    const error = await sdkError(clients.cloudWatch.send(new SetAlarmStateCommand({ AlarmName: 'checkout-errors', StateValue: 'ALARM', StateReason: 'x'.repeat(1024) })));

    expect(error.name).toBe('ValidationException');
    expect(error.message).toContain("at 'stateReason' failed to satisfy constraint: Member must have length between 0 and 1023");
    expect(cloudWatch.state.getAlarm('checkout-errors').state).toBe('INSUFFICIENT_DATA');
  });

  it('refuses a Proton deploymentType outside the model\'s DeploymentUpdateType enum, and a template version that is not a number', async () => {
    const error = await sdkError(clients.proton.send(new UpdateEnvironmentCommand({
      name: 'prod', deploymentType: 'LATEST' as DeploymentUpdateType, templateMajorVersion: 'v2',
    })));

    expect(error.name).toBe('ValidationException');
    expect(error.$metadata.httpStatusCode).toBe(400);
    expect(error.message).toContain("Value 'LATEST' at 'deploymentType' failed to satisfy constraint: Member must satisfy enum value set: [NONE, CURRENT_VERSION, MINOR_VERSION, MAJOR_VERSION]");
    expect(error.message).toContain("Value 'v2' at 'templateMajorVersion' failed to satisfy constraint: Member must satisfy regular expression pattern");
    expect(proton.state.getEnvironment('prod').deploymentStatus).toBe('SUCCEEDED');
  });
});
