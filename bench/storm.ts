import { LocalStack, alarmInput, environmentId, handlerInstance, startDeployment, startLocalStack, stopCalls } from './local-stack';
import { median, percentile } from './statistics';

export interface StormResult {
  readonly stopCalls: number;
  readonly medianMs: number;
  readonly p99Ms: number;
  readonly outcomes: Record<string, number>;
}

/**
 * `events` alarm events for one in-progress deployment, all at once, spread
 * over `instances` warm handler instances (Lambda scales out; each instance
 * takes one event at a time). `entry` swaps in another handler.
 */
export async function storm(events: number, instances: number, entry?: string): Promise<StormResult> {
  const stack: LocalStack = await startLocalStack(2);
  const handlers = Array.from({ length: instances }, () => handlerInstance(stack, entry));
  try {
    // Warm every instance on the other environment, which has no deployment.
    await Promise.all(handlers.map((handler) => handler.invoke(alarmInput(environmentId(1)))));
    await startDeployment(stack);
    const before = stopCalls(stack);
    const invocations = await Promise.all(
      Array.from({ length: events }, (_, i) => handlers[i % instances].invoke(alarmInput())),
    );
    // A handler without claims sends a stop per event; AppConfig refuses all
    // but the first, and those refusals are counted, not hidden.
    const outcomes: Record<string, number> = {};
    for (const invocation of invocations) {
      const outcome = invocation.ok ? (invocation.result as { outcome: string }).outcome : `error ${invocation.error?.name}`;
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    }
    const durations = invocations.map((invocation) => invocation.durationMs);
    return { stopCalls: stopCalls(stack) - before, medianMs: median(durations), p99Ms: percentile(durations, 99), outcomes };
  } finally {
    await Promise.all(handlers.map((handler) => handler.kill()));
    await stack.close();
  }
}
