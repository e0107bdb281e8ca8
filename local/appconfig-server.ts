import { IncomingMessage } from 'http';
import { AppConfigExtensionOptions, AppConfigState, DeploymentView } from './appconfig-state';
import appConfigRules from './models/appconfig.rules.json';
import { restJsonError, ServiceError } from './service-error';
import { ServiceRules } from './service-model';
import { FaultOptions, Reply, Route, RunningService, ServiceProtocol, startService } from './service-server';
import { ClockOptions, VirtualClock } from './virtual-clock';

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

/** The rules of the AppConfig model (botocore appconfig 2019-10-09) for the operations served here. */
export const APPCONFIG_RULES = appConfigRules as ServiceRules;

/**
 * AppConfig answers a request that breaks the model's constraints with
 * BadRequestException (400), which the model lists for every operation served
 * here; the API Reference describes it as "The input fails to satisfy the
 * constraints specified by an AWS service". The message's wording is ours.
 */
const invalid = (message: string) => new ServiceError('BadRequestException', 400, message);

/**
 * The codes this service answers besides those the model lists per
 * operation: of the AppConfig API Reference's "Common Errors", ThrottlingException
 * (see throttlingError).
 */
export const APPCONFIG_COMMON_ERRORS: readonly string[] = ['ThrottlingException'];

/**
 * ListDeployments' page. MaxResults (query `max_results`) has passed the
 * model's 1..50; without it the page holds 50, the most the model allows
 * (the API Reference gives no default).
 */
function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined) {
  const size = maxResults ?? 50;
  const start = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(start) || start < 0 || start > items.length) {
    throw invalid('The NextToken is invalid.');
  }
  const end = start + size;
  return {
    Items: items.slice(start, end),
    NextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
}

function parseBody(body: string): Record<string, any> {
  if (!body) return {};
  const parsed: unknown = JSON.parse(body);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
  return parsed as Record<string, any>;
}

/** AppConfig's restJson1 binding: method + path template per operation, from the 2019-10-09 model. */
function appConfigProtocol(state: AppConfigState): ServiceProtocol {
  const route = (request: IncomingMessage, url: URL, body: string): Route => {
    const method = request.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let members: Record<string, any> = {};
    let refusal: ServiceError | undefined;
    try {
      members = parseBody(body);
    } catch {
      refusal = invalid('The request body is not a JSON object.');
    }
    // Every operation first runs the extension ticks that are due, so what a
    // caller reads already shows a tick's rollback. `params` carries the URI,
    // query and header members as sent; the model's rules read them into
    // their types before `run` sees them.
    const op = (operation: string, params: Record<string, unknown>, status: number, run: (input: Record<string, any>) => unknown): Route =>
      ({
        operation,
        params,
        refusal,
        invoke: async (input): Promise<Reply> => {
          await state.runDueTicks();
          return { status, body: await run(input) };
        },
      });
    const defined = (record: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined && value !== null));

    if (parts[0] === 'deploymentstrategies' && parts.length === 1 && method === 'POST') {
      return op('CreateDeploymentStrategy', members, 201, (i) => {
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
      const [, ApplicationId, envs, EnvironmentId, deps, DeploymentNumber] = parts;
      if (parts.length === 1 && method === 'POST') {
        return op('CreateApplication', members, 201, (i) => {
          const application = state.createApplication(i.Name, i.Description);
          return { Id: application.id, Name: application.name, Description: application.description };
        });
      }
      if (parts.length === 3 && envs === 'environments' && method === 'POST') {
        return op('CreateEnvironment', { ...members, ApplicationId }, 201, (i) => {
          const environment = state.createEnvironment(i.ApplicationId, i.Name, i.Description);
          return { ApplicationId, Id: environment.id, Name: environment.name, Description: environment.description, State: 'READY_FOR_DEPLOYMENT' };
        });
      }
      if (parts.length === 4 && envs === 'environments' && method === 'GET') {
        return op('GetEnvironment', { ApplicationId, EnvironmentId }, 200, (i) => {
          const environment = state.environment(i.ApplicationId, i.EnvironmentId);
          return { ApplicationId, Id: environment.id, Name: environment.name, Description: environment.description, State: environment.state };
        });
      }
      if (parts.length === 5 && envs === 'environments' && deps === 'deployments') {
        if (method === 'POST') {
          return op('StartDeployment', { ...members, ApplicationId, EnvironmentId }, 201, (i) =>
            state.startDeployment(i.ApplicationId, i.EnvironmentId, {
              deploymentStrategyId: i.DeploymentStrategyId,
              configurationProfileId: i.ConfigurationProfileId,
              configurationVersion: i.ConfigurationVersion,
              description: i.Description,
            }).then(deployment));
        }
        if (method === 'GET') {
          const query = defined({ MaxResults: url.searchParams.get('max_results'), NextToken: url.searchParams.get('next_token') });
          return op('ListDeployments', { ApplicationId, EnvironmentId, ...query }, 200, (i) =>
            page(state.listDeployments(i.ApplicationId, i.EnvironmentId).map(summary), i.MaxResults, i.NextToken));
        }
      }
      if (parts.length === 6 && envs === 'environments' && deps === 'deployments') {
        if (method === 'GET') {
          return op('GetDeployment', { ApplicationId, EnvironmentId, DeploymentNumber }, 200, (i) =>
            deployment(state.getDeployment(i.ApplicationId, i.EnvironmentId, i.DeploymentNumber)));
        }
        if (method === 'DELETE') {
          // StopDeployment binds AllowRevert to the `Allow-Revert` header.
          const header = request.headers['allow-revert'];
          const AllowRevert = header === undefined ? undefined : String(header);
          return op('StopDeployment', defined({ ApplicationId, EnvironmentId, DeploymentNumber, AllowRevert }), 202, (i) =>
            deployment(state.stopDeployment(i.ApplicationId, i.EnvironmentId, i.DeploymentNumber, { allowRevert: i.AllowRevert, triggeredBy: 'USER' })));
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
    rules: APPCONFIG_RULES,
    invalid,
    contentType: 'application/json',
    encodeError: restJsonError,
    errorCode: (error) => error.name,
    commonErrors: APPCONFIG_COMMON_ERRORS,
    // AppConfig's model has no throttling error; AWS answers 429, and the SDK
    // retries any 429 and the name ThrottlingException (THROTTLING_ERROR_CODES).
    throttlingError: () => new ServiceError('ThrottlingException', 429, 'Rate exceeded'),
  };
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
