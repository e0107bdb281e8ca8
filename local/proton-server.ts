import { IncomingMessage } from 'http';
import protonRules from './models/proton.rules.json';
import { ProtonEnvironmentView, ProtonState, ProtonTimings } from './proton-state';
import { awsJsonError, ServiceError } from './service-error';
import { ServiceRules } from './service-model';
import { FaultOptions, Route, RunningService, ServiceProtocol, startService } from './service-server';
import { ClockOptions, VirtualClock } from './virtual-clock';

export interface LocalProtonOptions extends ClockOptions, FaultOptions, ProtonTimings {}

export interface LocalProton extends RunningService {
  readonly state: ProtonState;
}

/** The model's `targetPrefix`: awsJson1_0 names the operation in `X-Amz-Target: AwsProton20200720.<Operation>`. */
const TARGET_PREFIX = 'AwsProton20200720.';

/** awsJson timestamps (Proton's `Timestamp` has no timestampFormat) are epoch seconds as JSON numbers. */
const epochSeconds = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

/** The Environment shape. */
function environment(view: ProtonEnvironmentView) {
  return {
    ...view,
    createdAt: epochSeconds(view.createdAt),
    lastDeploymentAttemptedAt: epochSeconds(view.lastDeploymentAttemptedAt),
    lastDeploymentSucceededAt: epochSeconds(view.lastDeploymentSucceededAt),
  };
}

/** The rules of the Proton model (botocore proton 2020-07-20) for the operations served here. */
export const PROTON_RULES = protonRules as ServiceRules;

/**
 * Proton answers a request that breaks the model's constraints with
 * ValidationException (400 under awsJson1_0), which the model lists for every
 * operation served here. The message's wording is ours: the API Reference
 * does not give it.
 */
const invalid = (message: string) => new ServiceError('ValidationException', 400, message);

/**
 * The codes this service answers besides those the model lists per
 * operation: awsJson1_0 answers a body it cannot read with
 * SerializationException before any operation sees it (Smithy's awsJson1_0
 * protocol). The model lists every other error this service answers, its
 * ThrottlingException included.
 */
export const PROTON_COMMON_ERRORS: readonly string[] = ['SerializationException'];

/** ListEnvironments' page size without maxResults: 100, the most the model's MaxPageResults allows (the API Reference gives no default). */
const LIST_ENVIRONMENTS_PAGE = 100;

type Operation = (input: Record<string, any>) => unknown;

function protonProtocol(state: ProtonState): ServiceProtocol {
  const operations: Record<string, Operation> = {
    GetEnvironment: (input) => ({ environment: environment(state.getEnvironment(input.name)) }),
    ListEnvironments: (input) => {
      const all = state.listEnvironments();
      const start = input.nextToken === undefined ? 0 : Number(Buffer.from(input.nextToken, 'base64').toString('utf8'));
      if (!Number.isInteger(start) || start < 0 || start > all.length) {
        throw invalid('The nextToken is not one this service issued; repeat the request without it.');
      }
      const size = input.maxResults ?? LIST_ENVIRONMENTS_PAGE;
      const environments = all.slice(start, start + size).map((view) => {
        // EnvironmentSummary has no spec or template repository members.
        const { spec: _spec, ...summary } = environment(view);
        return summary;
      });
      // NextToken's pattern is `^[A-Za-z0-9+=/]+$`: base64 text.
      return { environments, nextToken: start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : undefined };
    },
    CreateEnvironment: (input) => ({
      environment: environment(state.createEnvironment(input.name, {
        templateName: input.templateName,
        templateMajorVersion: input.templateMajorVersion,
        templateMinorVersion: input.templateMinorVersion,
        spec: input.spec,
        description: input.description,
      })),
    }),
    UpdateEnvironment: (input) => ({
      environment: environment(state.updateEnvironment(input.name, {
        deploymentType: input.deploymentType,
        spec: input.spec,
        description: input.description,
        templateMajorVersion: input.templateMajorVersion,
        templateMinorVersion: input.templateMinorVersion,
      })),
    }),
    CancelEnvironmentDeployment: (input) => ({
      environment: environment(state.cancelEnvironmentDeployment(input.environmentName)),
    }),
  };

  const route = (request: IncomingMessage, _url: URL, body: string): Route => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation: Operation | undefined = Object.hasOwn(operations, name) ? operations[name] : undefined;
    let params: Record<string, unknown> = {};
    let refusal: ServiceError | undefined;
    try {
      const parsed: unknown = body ? JSON.parse(body) : {};
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      params = parsed as Record<string, unknown>;
    } catch {
      refusal = new ServiceError('SerializationException', 400, 'The request body is not a JSON object.');
    }
    return {
      operation: operation ? name : 'Unknown',
      params,
      refusal: operation ? refusal : undefined,
      invoke: (input) => {
        if (!operation) throw new ServiceError('UnknownOperationException', 400, `Unknown operation ${target}.`);
        return { status: 200, body: operation(input) };
      },
    };
  };

  return {
    route,
    rules: PROTON_RULES,
    invalid,
    contentType: 'application/x-amz-json-1.0',
    encodeError: awsJsonError,
    errorCode: (error) => error.name,
    commonErrors: PROTON_COMMON_ERRORS,
    // Proton's model declares ThrottlingException (retryable, throttling: true); awsJson client errors are 400.
    throttlingError: () => new ServiceError('ThrottlingException', 400, 'Rate exceeded'),
  };
}

/**
 * Starts a local AWS Proton (awsJson1_0) on 127.0.0.1 and a random port.
 * Point the real ProtonClient at `endpoint` with any static credentials.
 */
export async function startLocalProton(options: LocalProtonOptions = {}): Promise<LocalProton> {
  const clock = new VirtualClock(options);
  const state = new ProtonState(clock, options);
  const service = await startService(protonProtocol(state), clock, options);
  return { ...service, state };
}
