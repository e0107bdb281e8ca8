import { startLatencyProxy } from '../local';
import { ALARM_STATE_ENTRY, APPLICATION, environmentId, handlerInstance, startDeployment, startLocalStack, tickInput } from './local-stack';
import { median } from './statistics';

export interface TickPathResult {
  /** Median from invocation to the ROLL_BACK answer while the alarm fires (claim and record included). */
  readonly rollBackMs: number;
  /** Median from invocation to the CONTINUE answer while every alarm is quiet. */
  readonly continueMs: number;
  readonly continueRoundTrips: number;
}

/**
 * The alarm-state check's warm ticks, with every CloudWatch and DynamoDB call
 * answering `latencyMs` late, as the event path's warm figure is measured.
 * A firing tick reads the alarms, claims the deployment (left ANSWERED for
 * the event path to confirm), then records before it answers: three round
 * trips, as the event path makes before its stop is answered. A quiet tick reads the
 * alarms and answers: one.
 */
export async function tickPath(latencyMs: number, invocations: number): Promise<TickPathResult> {
  const stack = await startLocalStack(1);
  const proxy = await startLatencyProxy({ target: stack.dynamo.endpoint, faults: [{ operation: '*', fault: 'latency', latencyMs }] });
  stack.dynamoEndpoint = proxy.endpoint;
  stack.cloudWatch.faults.add({ operation: '*', fault: 'latency', latencyMs });
  const check = handlerInstance(stack, ALARM_STATE_ENTRY);
  const timeOf = async (deploymentNumber: number, expected: string): Promise<number> => {
    const invocation = await check.invoke(tickInput(deploymentNumber));
    const directive = (invocation.result as { Directive?: string } | undefined)?.Directive;
    if (!invocation.ok || directive !== expected) {
      throw new Error(`tick answered ${directive ?? invocation.error?.message}, not ${expected}`);
    }
    return invocation.durationMs;
  };
  try {
    // The first tick loads the code; the figures are for warm ones.
    const rolledBack = async (): Promise<number> => {
      const deployment = await startDeployment(stack);
      const ms = await timeOf(deployment, 'ROLL_BACK');
      // What AppConfig does with the answer, so the next deployment may start.
      stack.appConfig.state.stopDeployment(APPLICATION, environmentId(0), deployment, { allowRevert: true });
      return ms;
    };
    await rolledBack();
    const rollBack: number[] = [];
    for (let i = 0; i < invocations; i++) {
      rollBack.push(await rolledBack());
    }
    stack.cloudWatch.state.setAlarmState(stack.cloudWatch.state.listAlarms()[0].name, 'OK');
    const quiet: number[] = [];
    const number = await startDeployment(stack);
    for (let i = 0; i < invocations; i++) {
      quiet.push(await timeOf(number, 'CONTINUE'));
    }
    return { rollBackMs: median(rollBack), continueMs: median(quiet), continueRoundTrips: 1 };
  } finally {
    await check.kill();
    await proxy.close();
    await stack.close();
  }
}
