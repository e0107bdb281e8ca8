import { IncomingMessage } from 'http';
import { AppConfigExtensionOptions, AppConfigState, DeploymentView } from './appconfig-state';
import { restJsonError, ServiceError } from './service-error';
import { FaultOptions, Reply, Route, RunningService, ServiceProtocol, startService } from './service-server';
import { ClockOptions, VirtualClock } from './virtual-clock';
import { Rules } from '../src/contract';

export interface LocalAppConfigOptions extends ClockOptions, FaultOptions, AppConfigExtensionOptions {}

export interface LocalAppConfig extends RunningService {
  readonly state: AppConfigState;
}

/** AppConfig's Iso8601DateTime shape is `timestampFormat: iso8601`: ISO strings in JSON bodies. */
const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The DeploymentSummary shape (ListDeployments items). */
function summary(view: DeploymentView) {
  const { record } = view;
  return {
    DeploymentNumber: record.number,
    ConfigurationName: record.configurationProfileId,
    ConfigurationVersion: record.configurationVersion,
    DeploymentDurationInMinutes: record.strategy.deploymentDurationInMinutes,
    GrowthType: record.strategy.growthType,
    GrowthFactor: record.strategy.growthFactor,
    FinalBakeTimeInMinutes: record.strategy.finalBakeTimeInMinutes,
    State: view.state,
    PercentageComplete: view.percentageComplete,
    StartedAt: iso(record.startedAt),
    CompletedAt: iso(view.completedAt),
  };
}

/** The Deployment shape (StartDeployment, GetDeployment, StopDeployment). */
function deployment(view: DeploymentView) {
  const { record } = view;
  return {
    ...summary(view),
    ApplicationId: record.applicationId,
    EnvironmentId: record.environmentId,
    DeploymentStrategyId: record.strategy.id,
    ConfigurationProfileId: record.configurationProfileId,
    Description: record.description,
    EventLog: view.events.map((event) => ({
      EventType: event.type,
      TriggeredBy: event.triggeredBy,
      Description: event.description,
      OccurredAt: iso(event.at),
    })),
  };
}

/** ListDeployments' MaxResults (query `max_results`) is 1..50 in the model. */
function page<T>(items: T[], maxResults: string | null, nextToken: string | null) {
  const size = maxResults === null ? 50 : Number(maxResults);
  if (!Number.isInteger(size) || size < 1 || size > 50) {
    throw new ServiceError('BadRequestException', 400, `MaxResults must be between 1 and 50, got ${maxResults}.`);
  }
  const start = nextToken === null ? 0 : Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw new ServiceError('BadRequestException', 400, 'The NextToken is invalid.');
  }
  const end = start + size;
  return {
    Items: items.slice(start, end),
    NextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}

function parseBody(body: string): Record<string, any> {
  if (!body) return {};
  try {
    return JSON.parse(body);
  } catch {
    throw new ServiceError('BadRequestException', 400, 'The request body is not valid JSON.');
  }
}

function required(input: Record<string, unknown>, ...names: string[]): void {
  const missing = names.filter((name) => input[name] === undefined || input[name] === '');
  if (missing.length > 0) {
    throw new ServiceError('BadRequestException', 400, `Missing required parameter(s): ${missing.join(', ')}.`);
  }
}

/**
 * ApplicationId and EnvironmentId are the model's `Id` shape (see
 * `Rules.APPCONFIG_ID`); AppConfig refuses any other value as a bad request
 * before looking anything up. The message's wording is ours: the API
 * Reference documents BadRequestException, not its text.
 */
function checkIds(ids: Record<string, string | undefined>): void {
  for (const [member, value] of Object.entries(ids)) {
    if (value !== undefined && !Rules.APPCONFIG_ID.test(value)) {
      throw new ServiceError('BadRequestException', 400,
        `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must be ${Rules.APPCONFIG_ID.says}.`);
    }
  }
}

/** AppConfig's restJson1 binding: method + path template per operation, from the 2019-10-09 model. */
function appConfigProtocol(state: AppConfigState): ServiceProtocol {
  const route = (request: IncomingMessage, url: URL, body: string): Route => {
    const method = request.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    // Every operation first runs the extension ticks that are due, so what a
    // caller reads already shows a tick's rollback.
    const anyOp = (operation: string, params: Record<string, unknown>, status: number, run: () => unknown): Route =>
      ({
        operation,
        params,
        invoke: async (): Promise<Reply> => {
          await state.runDueTicks();
          return { status, body: await run() };
        },
      });
    const input = () => parseBody(body);

    if (parts[0] === 'deploymentstrategies' && parts.length === 1 && method === 'POST') {
      return anyOp('CreateDeploymentStrategy', safeBody(body), 201, () => {
        const i = input();
        required(i, 'Name', 'DeploymentDurationInMinutes', 'GrowthFactor');
        const strategy = state.createDeploymentStrategy({
          name: i.Name,
          deploymentDurationInMinutes: i.DeploymentDurationInMinutes,
          growthFactor: i.GrowthFactor,
          growthType: i.GrowthType,
          finalBakeTimeInMinutes: i.FinalBakeTimeInMinutes,
        });
        return {
          Id: strategy.id,
          Name: strategy.name,
          DeploymentDurationInMinutes: strategy.deploymentDurationInMinutes,
          GrowthType: strategy.growthType,
          GrowthFactor: strategy.growthFactor,
          FinalBakeTimeInMinutes: strategy.finalBakeTimeInMinutes,
          ReplicateTo: 'NONE',
        };
      });
    }
    if (parts[0] === 'applications') {
      const [, ApplicationId, envs, EnvironmentId, deps, number] = parts;
      const op = (operation: string, params: Record<string, unknown>, status: number, run: () => unknown): Route =>
        anyOp(operation, params, status, () => {
          checkIds({ ApplicationId, EnvironmentId });
          return run();
        });
      if (parts.length === 1 && method === 'POST') {
        return op('CreateApplication', safeBody(body), 201, () => {
          const i = input();
          required(i, 'Name');
          const application = state.createApplication(i.Name, i.Description);
          return { Id: application.id, Name: application.name, Description: application.description };
        });
      }
      if (parts.length === 3 && envs === 'environments' && method === 'POST') {
        return op('CreateEnvironment', { ApplicationId, ...safeBody(body) }, 201, () => {
          const i = input();
          required(i, 'Name');
          const environment = state.createEnvironment(ApplicationId, i.Name, i.Description);
          return { ApplicationId, Id: environment.id, Name: environment.name, Description: environment.description, State: 'READY_FOR_DEPLOYMENT' };
        });
      }
      if (parts.length === 4 && envs === 'environments' && method === 'GET') {
        return op('GetEnvironment', { ApplicationId, EnvironmentId }, 200, () => {
          const environment = state.environment(ApplicationId, EnvironmentId);
          return { ApplicationId, Id: environment.id, Name: environment.name, Description: environment.description, State: environment.state };
        });
      }
      if (parts.length === 5 && envs === 'environments' && deps === 'deployments') {
        if (method === 'POST') {
          return op('StartDeployment', { ApplicationId, EnvironmentId, ...safeBody(body) }, 201, () => {
            const i = input();
            required(i, 'DeploymentStrategyId', 'ConfigurationProfileId', 'ConfigurationVersion');
            return state.startDeployment(ApplicationId, EnvironmentId, {
              deploymentStrategyId: i.DeploymentStrategyId,
              configurationProfileId: i.ConfigurationProfileId,
              configurationVersion: i.ConfigurationVersion,
              description: i.Description,
            }).then(deployment);
          });
        }
        if (method === 'GET') {
          const MaxResults = url.searchParams.get('max_results');
          const NextToken = url.searchParams.get('next_token');
          return op('ListDeployments', { ApplicationId, EnvironmentId, MaxResults, NextToken }, 200, () =>
            page(state.listDeployments(ApplicationId, EnvironmentId).map(summary), MaxResults, NextToken));
        }
      }
      if (parts.length === 6 && envs === 'environments' && deps === 'deployments') {
        const DeploymentNumber = Number(number);
        if (method === 'GET') {
          return op('GetDeployment', { ApplicationId, EnvironmentId, DeploymentNumber }, 200, () =>
            deployment(state.getDeployment(ApplicationId, EnvironmentId, DeploymentNumber)));
        }
        if (method === 'DELETE') {
          // StopDeployment binds AllowRevert to the `Allow-Revert` header.
          const header = request.headers['allow-revert'];
          const AllowRevert = header === undefined ? undefined : String(header).toLowerCase() === 'true';
          return op('StopDeployment', { ApplicationId, EnvironmentId, DeploymentNumber, AllowRevert }, 202, () =>
            deployment(state.stopDeployment(ApplicationId, EnvironmentId, DeploymentNumber, { allowRevert: AllowRevert, triggeredBy: 'USER' })));
        }
      }
    }
    return {
      operation: 'Unknown',
      params: {},
      invoke: () => {
        throw new ServiceError('UnknownOperationException', 404, `No AppConfig operation at ${method} ${url.pathname}.`);
      },
    };
  };

  return {
    route,
    contentType: 'application/json',
    encodeError: restJsonError,
    // AppConfig's model has no throttling error; AWS answers 429, and the SDK
    // retries any 429 and the name ThrottlingException (THROTTLING_ERROR_CODES).
    throttlingError: () => new ServiceError('ThrottlingException', 429, 'Rate exceeded'),
  };
}

/** The body's members for the request record, without failing on bad JSON (the operation reports that). */
function safeBody(body: string): Record<string, unknown> {
  try {
    return parseBody(body);
  } catch {
    return {};
  }
}

/**
 * Starts a local AWS AppConfig (restJson1) on 127.0.0.1 and a random port.
 * Point the real AppConfigClient at `endpoint` with any static credentials.
 */
export async function startLocalAppConfig(options: LocalAppConfigOptions = {}): Promise<LocalAppConfig> {
  const clock = new VirtualClock(options);
  const state = new AppConfigState(clock, options);
  const service = await startService(appConfigProtocol(state), clock, options);
  return { ...service, state };
}
