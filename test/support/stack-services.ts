import { handlerEnv } from './handler-env';
import { startLedger } from './synthesized-ledger';
import {
  BAKE_GATE_ENTRY,
  HandlerInstance,
  LocalCloudFormation,
  LocalCloudWatch,
  LocalDynamo,
  startLocalCloudFormation,
  startLocalCloudWatch,
} from '../../local';
import type { StackStatusChangeEvent } from '../../local/cloudformation-state';

/** What a stack target's wire test seeds, built anew before each test (stack times count from its start). */
export interface StackServicesSeed {
  readonly cloudFormation: Parameters<LocalCloudFormation['state']['seed']>[0];
  readonly cloudWatch: Parameters<LocalCloudWatch['state']['seed']>[0];
}

/**
 * The local CloudFormation, CloudWatch and ledger a stack target's wire test
 * drives the bundled handler and bake gate against: started and seeded before
 * each test, and stopped, with every handler instance the test started, after
 * it. Read its fields inside a test: each test gets fresh services.
 */
export interface StackServices {
  readonly cloudFormation: LocalCloudFormation;
  readonly cloudWatch: LocalCloudWatch;
  readonly dynamo: LocalDynamo;
  /** The stack status changes the local CloudFormation emitted, in order. */
  readonly statusEvents: StackStatusChangeEvent[];
  /** A fresh instance of the bundled rollback handler, or of a bake gate export. */
  start(exportName?: 'onEvent' | 'isComplete'): HandlerInstance;
  /** Starts an update of `stackName` and answers the status event CloudFormation sent for its start. */
  startUpdate(stackName: string): StackStatusChangeEvent;
}

export function useStackServices(seed: () => StackServicesSeed): StackServices {
  let cloudFormation: LocalCloudFormation;
  let cloudWatch: LocalCloudWatch;
  let dynamo: LocalDynamo;
  let instances: HandlerInstance[];
  let statusEvents: StackStatusChangeEvent[];

  beforeEach(async () => {
    const seeds = seed();
    cloudFormation = await startLocalCloudFormation();
    cloudFormation.state.seed(seeds.cloudFormation);
    statusEvents = [];
    cloudFormation.state.onStatusChange((event) => statusEvents.push(event));
    cloudWatch = await startLocalCloudWatch();
    cloudWatch.state.seed(seeds.cloudWatch);
    dynamo = await startLedger();
    instances = [];
  });

  afterEach(async () => {
    await Promise.all(instances.map((instance) => instance.kill()));
    await Promise.all([cloudFormation.close(), cloudWatch.close(), dynamo.close()]);
  });

  return {
    get cloudFormation() { return cloudFormation; },
    get cloudWatch() { return cloudWatch; },
    get dynamo() { return dynamo; },
    get statusEvents() { return statusEvents; },
    start(exportName) {
      const instance = HandlerInstance.start({
        entry: exportName ? BAKE_GATE_ENTRY : undefined,
        exportName,
        env: handlerEnv({ cloudFormation: cloudFormation.endpoint, cloudWatch: cloudWatch.endpoint, dynamo: dynamo.endpoint, claimLeaseSeconds: 10 }),
      });
      instances.push(instance);
      return instance;
    },
    startUpdate(stackName) {
      cloudFormation.state.updateStack(stackName, { templateBody: `{"Resources":{},"Metadata":{"v":"${Date.now()}"}}`, clientRequestToken: 'deploy-1' });
      const started = statusEvents.filter((event) => event.detail['status-details'].status === 'UPDATE_IN_PROGRESS');
      expect(started).toHaveLength(1);
      return started[0];
    },
  };
}
