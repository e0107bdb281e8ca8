import { BakeFailedError, createBakeGate, OnEventAnswer, physicalIdOf } from './bake-gate';
import { bakeGateDependencies } from './gate-dependencies';
import { AlarmStateCheckResult, Metrics, RollbackTrigger } from '../../src/contract';
import { Clients, lazyClients } from '../shared/clients';
import { HandlerConfig, readConfig, readRollbackName } from '../shared/config';
import { errorText } from '../shared/errors';
import { placeOf } from '../shared/function-place';
import { requestIdOf } from '../shared/invocation';
import { alarmStateCheckMetric } from '../shared/record/emf-metrics';
import { logLine } from '../shared/record/log-line';

/** What the entry needs; tests hand in clients pointed at mocks or local servers. */
export interface BakeGateEntryDependencies {
  readonly clients: Clients;
  readonly config: () => HandlerConfig;
  readonly now: () => number;
  /** The function's Region, where its credentials can read alarms. */
  readonly region: () => string;
}

/** The parts of Lambda's context object the gate reads. */
export interface BakeGateContext {
  readonly awsRequestId?: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`: the account alarms are read in. */
  readonly invokedFunctionArn?: string;
}

/**
 * The bake gate's two functions for the CDK Provider framework (aws-cdk-lib
 * custom_resources.Provider: `onEventHandler`, `isCompleteHandler`), from one
 * bundle entry, `bake-gate.mjs`. Each call reads the request, runs the gate's
 * core (`bake-gate.ts`) with this invocation's dependencies, and answers; the
 * core reports and records.
 *
 * The configuration is the rollback handler's (ledger, topic, namespace, dry
 * run). One that cannot be read is the construct's defect, never the
 * update's: the gate lets the update go on unbaked, with an ERROR line and
 * the fault metric (the watcher alarm on AlarmStateFaultCount sees it). In
 * dry run the gate records what it would have done and never fails an update.
 */
export function createBakeGateHandlers(deps: BakeGateEntryDependencies) {
  const gateFor = (context: BakeGateContext) => {
    const startedAt = deps.now();
    let config: HandlerConfig;
    try {
      config = deps.config();
    } catch (error) {
      logLine('ERROR', 'bake gate fault: its configuration cannot be read; the update goes on unbaked', { error: errorText(error) });
      console.log(alarmStateCheckMetric({
        rollback: readRollbackName(), target: '', trigger: RollbackTrigger.DEPLOYMENT_TICK, result: AlarmStateCheckResult.FAULT, durationMs: 0,
      }, Metrics.DEFAULT_NAMESPACE, deps.now()));
      return undefined;
    }
    const gate = createBakeGate(bakeGateDependencies({
      clients: deps.clients,
      config,
      now: deps.now,
      place: placeOf(deps.region(), context.invokedFunctionArn),
      requestId: requestIdOf(context.awsRequestId, startedAt),
      startedAt,
    }));
    return { gate, config };
  };

  return {
    onEvent: async (event: unknown, context: BakeGateContext = {}): Promise<OnEventAnswer> => {
      const built = gateFor(context);
      return built ? built.gate.onEvent(event) : { PhysicalResourceId: physicalIdOfRequest(event), Data: { Mode: 'SKIP' } };
    },

    isComplete: async (event: unknown, context: BakeGateContext = {}): Promise<{ IsComplete: boolean }> => {
      const built = gateFor(context);
      if (built === undefined) {
        return { IsComplete: true };
      }
      const { gate, config } = built;
      try {
        return await gate.isComplete(event);
      } catch (error) {
        if (config.dryRun && error instanceof BakeFailedError) {
          logLine('WARN', 'dry run: the bake gate would have failed the update; it completes instead', { reason: error.message });
          return { IsComplete: true };
        }
        throw error;
      }
    },
  };
}

/** The request's physical ID, or the gate's stable one, for an answer made without reading the request further. */
function physicalIdOfRequest(event: unknown): string {
  const fields = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  if (typeof fields.PhysicalResourceId === 'string' && fields.PhysicalResourceId !== '') {
    return fields.PhysicalResourceId;
  }
  return physicalIdOf(String(fields.StackId ?? 'unknown'), String(fields.LogicalResourceId ?? 'BakeGate'));
}

let config: HandlerConfig | undefined;

const handlers = createBakeGateHandlers({
  clients: lazyClients(),
  config: () => (config ??= readConfig()),
  now: Date.now,
  region: () => process.env.AWS_REGION ?? '',
});

export const onEvent = handlers.onEvent;
export const isComplete = handlers.isComplete;
