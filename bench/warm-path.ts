import { HttpCall, startLatencyProxy } from '../local';
import { alarmInput, handlerInstance, startDeployment, startLocalStack } from './local-stack';
import { median } from './statistics';

export interface WarmPathResult {
  /** Median time the handler itself worked before the stop's answer: no request of its own was out. */
  readonly ownMs: number;
  /** Median of (stop answered - invoked - round trips x latency): the same, plus the local services' own processing. */
  readonly minusLatencyMs: number;
  /** Median from invocation to the stop call's answer. */
  readonly toStopMs: number;
  /** Sequential round trips up to and including the stop call. */
  readonly roundTrips: number;
}

/**
 * Every AppConfig, CloudWatch and DynamoDB call answers `latencyMs` late. From the
 * invocation to the StopDeployment answer, the handler is either waiting on a
 * service (a request of its own is out) or working; the working time is its
 * own overhead. The instance times each call on the handler's own clock, from
 * the request handed to the socket to the answer's headers, so a service
 * that lags (its thread busy with its own work) is counted as the service's
 * time, as it would be in AWS.
 */
export async function warmPath(latencyMs: number, invocations: number, roundTrips: number, entry?: string): Promise<WarmPathResult> {
  const stack = await startLocalStack(1);
  const proxy = await startLatencyProxy({ target: stack.dynamo.endpoint, faults: [{ operation: '*', fault: 'latency', latencyMs }] });
  stack.dynamoEndpoint = proxy.endpoint;
  stack.appConfig.faults.add({ operation: '*', fault: 'latency', latencyMs });
  // The alarm's actions switch is read beside the deployment read, at the same latency.
  stack.cloudWatch.faults.add({ operation: '*', fault: 'latency', latencyMs });
  const handler = handlerInstance(stack, entry);
  try {
    // The first invocation loads the code; the figures are for warm ones.
    startDeployment(stack);
    await handler.invoke(alarmInput());
    const toStop: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < invocations; i++) {
      startDeployment(stack);
      const invocation = await handler.invoke(alarmInput());
      if (!invocation.ok || invocation.startedAt === undefined) {
        throw new Error(`warm-path invocation failed: ${invocation.error?.name}: ${invocation.error?.message}`);
      }
      const stop = invocation.httpCalls.find(isStopDeployment);
      if (stop?.answeredAt === undefined || stop.status === undefined || stop.status >= 300) {
        throw new Error(`the warm-path invocation made no successful StopDeployment call (status ${stop?.status})`);
      }
      // The clock starts when the instance calls the handler, as Lambda's
      // runtime would: handing the input to the worker is not the handler's time.
      const elapsed = stop.answeredAt - invocation.startedAt;
      toStop.push(elapsed);
      own.push(elapsed - waiting(invocation.httpCalls, stop.answeredAt));
    }
    return {
      ownMs: median(own),
      minusLatencyMs: median(toStop.map((ms) => ms - roundTrips * latencyMs)),
      toStopMs: median(toStop),
      roundTrips,
    };
  } finally {
    await handler.kill();
    await proxy.close();
    await stack.close();
  }
}

/** AppConfig's REST route for StopDeployment: DELETE .../deployments/{DeploymentNumber}. */
function isStopDeployment(call: HttpCall): boolean {
  return call.method === 'DELETE' && /\/deployments\/\d+$/.test(call.path);
}

/** Milliseconds before `until` during which at least one request was out. */
function waiting(calls: HttpCall[], until: number): number {
  const spans = calls
    .filter((call) => call.answeredAt !== undefined && call.sentAt < until)
    .map((call) => [call.sentAt, Math.min(call.answeredAt!, until)] as const)
    .sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [from, to] of spans) {
    if (to <= end) continue;
    total += to - Math.max(from, end);
    end = to;
  }
  return total;
}
