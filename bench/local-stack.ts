import { randomUUID } from 'crypto';
import {
  ALARM_STATE_ENTRY,
  HandlerInstance,
  LocalAppConfig,
  LocalCloudWatch,
  LocalDynamo,
  startLocalAppConfig,
  startLocalCloudWatch,
} from '../local';
import { INPUT_VERSION, RollbackInput } from '../src/contract';
import tickPayload from '../test/fixtures/appconfig-at-deployment-tick.json';
import metricEvent from '../test/fixtures/metric-alarm-state-change.json';
import { handlerEnv } from '../test/support/handler-env';
import { startLedger } from '../test/support/synthesized-ledger';

export const APPLICATION = 'app0001';
const STRATEGY = 'slow';

/** Local AppConfig, CloudWatch and DynamoDB with the ledger table, as the benchmarks use them. */
export interface LocalStack {
  readonly appConfig: LocalAppConfig;
  /** Holds the fixture's alarm, in ALARM with its actions enabled. */
  readonly cloudWatch: LocalCloudWatch;
  readonly dynamo: LocalDynamo;
  /** The DynamoDB endpoint handlers talk to (a delaying proxy, when one is in front). */
  dynamoEndpoint: string;
  close(): Promise<void>;
}

export async function startLocalStack(environments: number): Promise<LocalStack> {
  const appConfig = await startLocalAppConfig();
  appConfig.state.seed({
    applications: [{ id: APPLICATION, environments: Array.from({ length: environments }, (_, i) => ({ id: environmentId(i) })) }],
    // Long enough that no deployment finishes during a run.
    deploymentStrategies: [{ id: STRATEGY, deploymentDurationInMinutes: 600, growthFactor: 10, finalBakeTimeInMinutes: 60 }],
  });
  const cloudWatch = await startLocalCloudWatch();
  cloudWatch.state.seed({ alarms: [{ name: metricEvent.detail.alarmName, state: 'ALARM' }] });
  const dynamo = await startLedger();
  return {
    appConfig,
    cloudWatch,
    dynamo,
    dynamoEndpoint: dynamo.endpoint,
    close: async () => {
      await Promise.all([appConfig.close(), cloudWatch.close(), dynamo.close()]);
    },
  };
}

export const environmentId = (index: number) => `env${String(index).padStart(4, '0')}`;

/** Starts a deployment in an environment and returns its number. */
export async function startDeployment(stack: LocalStack, environment = environmentId(0)): Promise<number> {
  return (await stack.appConfig.state.startDeployment(APPLICATION, environment, {
    deploymentStrategyId: STRATEGY,
    configurationProfileId: 'prof001',
    configurationVersion: '1',
  })).record.number;
}

/**
 * A handler instance pointed at the stack; `entry` swaps in another handler
 * file (`ALARM_STATE_ENTRY` for the alarm-state check); `env` adds to or
 * overrides its environment.
 */
export function handlerInstance(stack: LocalStack, entry?: string, env: Record<string, string> = {}): HandlerInstance {
  return HandlerInstance.start({
    entry,
    env: {
      ...handlerEnv({
        appConfig: stack.appConfig.endpoint,
        dynamo: stack.dynamoEndpoint,
        cloudWatch: stack.cloudWatch.endpoint,
        rollbackName: 'Bench/Rollback',
      }),
      ...env,
    },
  });
}

/** The rule input for one fresh alarm event of an environment's target. */
export function alarmInput(environment = environmentId(0), stateChangedAt = Date.now()): RollbackInput {
  const event = structuredClone(metricEvent);
  event.id = randomUUID();
  event.time = new Date(stateChangedAt).toISOString().replace(/\.\d{3}Z$/, 'Z');
  event.detail.state.timestamp = new Date(stateChangedAt).toISOString();
  return {
    version: INPUT_VERSION,
    target: {
      kind: 'appconfig',
      name: `Bench/Rollback/${environment}`,
      alarmArns: [metricEvent.resources[0]],
      triggerStates: ['ALARM'],
      actOnPausedAlarms: false,
      applicationId: APPLICATION,
      environmentId: environment,
      revertCompletedWithinSeconds: 0,
    },
    event,
  };
}

export function stopCalls(stack: LocalStack): number {
  return stack.appConfig.requests.filter((request) => request.operation === 'StopDeployment').length;
}

export { ALARM_STATE_ENTRY };

/** AppConfig's AT_DEPLOYMENT_TICK request for a deployment of an environment's target, with a fresh invocation id. */
export function tickInput(deploymentNumber: number, environment = environmentId(0)): Record<string, unknown> {
  const target = {
    name: `Bench/Rollback/${environment}`,
    applicationId: APPLICATION,
    environmentId: environment,
    triggerStates: ['ALARM'],
    actOnPausedAlarms: false,
    blockStart: false,
  };
  return {
    ...tickPayload,
    InvocationId: randomUUID(),
    Application: { Id: APPLICATION },
    Environment: { Id: environment },
    DeploymentNumber: deploymentNumber,
    Parameters: { Target: JSON.stringify(target), Alarms1: JSON.stringify([metricEvent.resources[0]]) },
  };
}
