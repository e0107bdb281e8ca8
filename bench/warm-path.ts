import { RecordedRequest, startLatencyProxy } from '../local';
import { alarmInput, handlerInstance, startDeployment, startLocalStack } from './local-stack';
import { median } from './statistics';

export interface WarmPathResult {
  /** Median time the handler itself spent before the stop's answer: not waiting on any service. */
  readonly ownMs: number;
  /** Median of (stop answered - invoked - round trips x latency): the same, plus the local services' own processing. */
  readonly minusLatencyMs: number;
  /** Median from invocation to the stop call's answer. */
  readonly toStopMs: number;
  /** Sequential round trips up to and including the stop call. */
  readonly roundTrips: number;
}

const now = () => performance.timeOrigin + performance.now();

/**
 * Every AppConfig and DynamoDB call answers `latencyMs` late. From the
 * invocation to the StopDeployment answer, the handler is either waiting on a
 * service (a request is open at a server) or working; the working time is its
 * own overhead. Both servers stamp each request's arrival and answer.
 */
export async function warmPath(latencyMs: number, invocations: number, roundTrips: number, entry?: string): Promise<WarmPathResult> {
  const stack = await startLocalStack(1);
  const proxy = await startLatencyProxy({ target: stack.dynamo.endpoint, faults: [{ operation: '*', fault: 'latency', latencyMs }] });
  stack.dynamoEndpoint = proxy.endpoint;
  stack.appConfig.faults.add({ operation: '*', fault: 'latency', latencyMs });
  const handler = handlerInstance(stack, entry);
  try {
    // The first invocation loads the code; the figures are for warm ones.
    startDeployment(stack);
    await handler.invoke(alarmInput());
    const toStop: number[] = [];
    const own: number[] = [];
    for (let i = 0; i < invocations; i++) {
      startDeployment(stack);
      const input = alarmInput();
      const seen = { appConfig: stack.appConfig.requests.length, dynamo: proxy.requests.length };
      const invokedAt = now();
      const invocation = await handler.invoke(input);
      if (!invocation.ok) {
        throw new Error(`warm-path invocation failed: ${invocation.error?.name}: ${invocation.error?.message}`);
      }
      const requests = [...stack.appConfig.requests.slice(seen.appConfig), ...proxy.requests.slice(seen.dynamo)];
      const stop = requests.find((request) => request.operation === 'StopDeployment');
      if (!stop?.answeredAt) {
        throw new Error('the warm-path invocation made no StopDeployment call');
      }
      const stoppedAt = stop.answeredAt;
      toStop.push(stoppedAt - invokedAt);
      own.push(stoppedAt - invokedAt - waiting(requests, stoppedAt));
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

/** Milliseconds before `until` during which at least one request was open at a server. */
function waiting(requests: RecordedRequest[], until: number): number {
  const spans = requests
    .filter((request) => request.answeredAt !== undefined && request.receivedAt < until)
    .map((request) => [request.receivedAt, Math.min(request.answeredAt!, until)] as const)
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
