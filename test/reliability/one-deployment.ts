import { ScenarioFigures } from './figures';
import {
  alarmArn,
  appConfigTarget,
  recordScenario,
  ROLLBACK_NAME,
  startLedger,
  wallClock,
} from './support';
import { AsyncInvoker, LatencyProxy, LocalAppConfig, LocalDynamo, startLocalAppConfig } from '../../local';
import { seedAppConfigDeployment } from '../support/appconfig-deployment';

export const APP = 'app0001';
export const ENV = 'env0001';
export const TARGET = appConfigTarget({ applicationId: APP, environmentId: ENV, alarmArns: [alarmArn('checkout-5xx-rate')], name: `${ROLLBACK_NAME}/${ENV}` });

/** What a test of one in-progress AppConfig deployment works with; fresh for every test. */
export interface OneDeployment {
  readonly appConfig: LocalAppConfig;
  readonly dynamo: LocalDynamo;
  /** Set by the test; closed after it. */
  invoker?: AsyncInvoker;
  /** Set by a test that puts a proxy in front of the ledger; closed after it. */
  proxy?: LatencyProxy;
  /** The state of deployment 1 now. */
  deploymentState(): string;
  /** Counts the scenario from the services, the ledger and the dead-letter queue, and records it under `suite`. */
  figures(scenario: string, inputs: readonly unknown[], extraFaults?: number): Promise<ScenarioFigures>;
}

/**
 * Registers beforeEach/afterEach that start a local AppConfig with one
 * deployment DEPLOYING (started a minute ago, 10 minutes long) and a ledger
 * on dynalite, and close them, with any invoker and proxy, after each test.
 */
export function useOneDeployment(suite: string): () => OneDeployment {
  let current: OneDeployment | undefined;

  beforeEach(async () => {
    const startedAt = wallClock();
    const appConfig = await startLocalAppConfig();
    seedAppConfigDeployment(appConfig, APP, ENV, Date.now() - 60_000);
    const dynamo = await startLedger();
    const rig: OneDeployment = {
      appConfig,
      dynamo,
      deploymentState: () => appConfig.state.getDeployment(APP, ENV, 1).state,
      figures: (scenario, inputs, extraFaults = 0) => recordScenario({
        suite,
        scenario,
        inputs,
        requests: appConfig.requests,
        action: 'StopDeployment',
        ledger: dynamo,
        deadLetters: rig.invoker?.deadLetters ?? [],
        otherRequests: rig.proxy?.requests ?? [],
        extraFaults,
        startedAt,
      }),
    };
    current = rig;
  });

  afterEach(async () => {
    const rig = current;
    current = undefined;
    await rig?.invoker?.close();
    await rig?.proxy?.close();
    await Promise.all([rig?.appConfig.close(), rig?.dynamo.close()]);
  });

  return () => {
    if (!current) throw new Error('useOneDeployment: no test is running');
    return current;
  };
}
