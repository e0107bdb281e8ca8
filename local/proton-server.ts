import { IncomingMessage } from 'http';
import { ProtonEnvironmentView, ProtonState, ProtonTimings } from './proton-state';
import { awsJsonError, ServiceError } from './service-error';
import { FaultOptions, Route, RunningService, ServiceProtocol, startService } from './service-server';
import { ClockOptions, VirtualClock } from './virtual-clock';
import { Rules } from '../src/contract';

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

function requireName(value: unknown, member: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ServiceError('ValidationException', 400, `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

/**
 * Environment and template names are the model's `ResourceName` shape (see
 * `Rules.PROTON_RESOURCE_NAME`); Proton answers any other with its modelled
 * ValidationException. The message's wording is ours: the API Reference does
 * not give it.
 */
function requireResourceName(value: unknown, member: string): string {
  const name = requireName(value, member);
  if (!Rules.PROTON_RESOURCE_NAME.test(name)) {
    throw new ServiceError('ValidationException', 400,
      `1 validation error detected: Value '${name}' at '${member}' failed to satisfy constraint: Member must be ${Rules.PROTON_RESOURCE_NAME.says}`);
  }
  return name;
}

type Operation = (input: Record<string, any>) => unknown;

function protonProtocol(state: ProtonState): ServiceProtocol {
  const operations: Record<string, Operation> = {
    GetEnvironment: (input) => ({ environment: environment(state.getEnvironment(requireResourceName(input.name, 'name'))) }),
    ListEnvironments: (input) => {
      const all = state.listEnvironments();
      const start = input.nextToken ? Number(input.nextToken) : 0;
      const size = input.maxResults ?? 100;
      const environments = all.slice(start, start + size).map((view) => {
        // EnvironmentSummary has no spec or template repository members.
        const { spec: _spec, ...summary } = environment(view);
        return summary;
      });
      return { environments, nextToken: start + size < all.length ? String(start + size) : undefined };
    },
    CreateEnvironment: (input) => ({
      environment: environment(state.createEnvironment(requireResourceName(input.name, 'name'), {
        templateName: requireResourceName(input.templateName, 'templateName'),
        templateMajorVersion: requireName(input.templateMajorVersion, 'templateMajorVersion'),
        templateMinorVersion: input.templateMinorVersion,
        spec: input.spec,
        description: input.description,
      })),
    }),
    UpdateEnvironment: (input) => ({
      environment: environment(state.updateEnvironment(requireResourceName(input.name, 'name'), {
        deploymentType: requireName(input.deploymentType, 'deploymentType'),
        spec: input.spec,
        description: input.description,
        templateMajorVersion: input.templateMajorVersion,
        templateMinorVersion: input.templateMinorVersion,
      })),
    }),
    CancelEnvironmentDeployment: (input) => ({
      environment: environment(state.cancelEnvironmentDeployment(requireResourceName(input.environmentName, 'environmentName'))),
    }),
  };

  const route = (request: IncomingMessage, _url: URL, body: string): Route => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation: Operation | undefined = Object.hasOwn(operations, name) ? operations[name] : undefined;
    let params: Record<string, unknown> = {};
    let parseError: ServiceError | undefined;
    try {
      params = body ? JSON.parse(body) : {};
    } catch {
      parseError = new ServiceError('SerializationException', 400, 'The request body is not valid JSON.');
    }
    return {
      operation: operation ? name : 'Unknown',
      params,
      invoke: () => {
        if (!operation) throw new ServiceError('UnknownOperationException', 400, `Unknown operation ${target}.`);
        if (parseError) throw parseError;
        return { status: 200, body: operation(params) };
      },
    };
  };

  return {
    route,
    contentType: 'application/x-amz-json-1.0',
    encodeError: awsJsonError,
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
