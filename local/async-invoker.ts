import { randomUUID } from 'crypto';
import { HandlerInstance, Invocation } from './handler-instance';

/** An event Lambda gave up on, as its dead-letter queue receives it. */
export interface DeadLetter {
  readonly input: unknown;
  /** The error of the last attempt. */
  readonly error: { readonly name: string; readonly message: string };
  readonly attempts: number;
}

/** What became of one asynchronous invocation. */
export interface AsyncResult {
  readonly status: 'SUCCEEDED' | 'DEAD_LETTERED';
  /** The request id every attempt was given. */
  readonly awsRequestId: string;
  /** Every attempt, oldest first; an attempt whose instance died has no logs. */
  readonly attempts: Invocation[];
}

export interface AsyncInvokerOptions {
  /**
   * The execution environments. Each attempt goes to a live instance with the
   * fewest attempts under way; instances that died are left out.
   */
  readonly instances: readonly HandlerInstance[];
  /**
   * Starts a new execution environment when none of the instances is alive,
   * as Lambda does after a crash or timeout.
   * @default - an attempt with no live instance fails
   */
  readonly startInstance?: () => HandlerInstance;
  /**
   * Retries after a failed attempt; Lambda allows 0 to 2.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * The function's ARN, handed to every attempt as the context's
   * `invokedFunctionArn`, as Lambda does.
   * @default - none
   */
  readonly functionArn?: string;
  /**
   * Wait before each retry. Lambda waits about 1 and then 2 minutes; tests wait less.
   * @default 0
   */
  readonly retryDelayMs?: number;
}

const MAX_RETRY_ATTEMPTS = 2;
const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Lambda's asynchronous invocation as the construct configures it: invoke,
 * retry a failed attempt (a thrown error, a crash) up to `retryAttempts`
 * times, then put the event on the dead-letter queue. Nothing is dropped:
 * every event ends as SUCCEEDED or in `deadLetters`.
 *
 * `deliver` adds EventBridge's side: delivery is at least once, so one event
 * may reach the function twice, each delivery its own asynchronous invocation.
 */
export class AsyncInvoker {
  /** The dead-letter queue, oldest first. */
  public readonly deadLetters: DeadLetter[] = [];
  private readonly instances: HandlerInstance[];
  private readonly running = new Map<HandlerInstance, number>();
  private readonly retryAttempts: number;
  private readonly retryDelayMs: number;

  constructor(private readonly options: AsyncInvokerOptions) {
    this.instances = [...options.instances];
    this.retryAttempts = options.retryAttempts ?? MAX_RETRY_ATTEMPTS;
    this.retryDelayMs = options.retryDelayMs ?? 0;
    if (!Number.isInteger(this.retryAttempts) || this.retryAttempts < 0 || this.retryAttempts > MAX_RETRY_ATTEMPTS) {
      throw new Error(`retryAttempts must be 0, 1 or 2 (Lambda's range), got ${this.retryAttempts}`);
    }
    if (!(this.retryDelayMs >= 0 && this.retryDelayMs <= MAX_RETRY_DELAY_MS)) {
      throw new Error(`retryDelayMs must be within 0..${MAX_RETRY_DELAY_MS}, got ${this.retryDelayMs}`);
    }
  }

  /** One asynchronous invocation, resolved once it succeeded or was dead-lettered. */
  public async invoke(input: unknown): Promise<AsyncResult> {
    // Lambda keeps one request id across the retries of an asynchronous invocation.
    const awsRequestId = randomUUID();
    const attempts: Invocation[] = [];
    for (let attempt = 0; attempt <= this.retryAttempts; attempt++) {
      if (attempt > 0 && this.retryDelayMs > 0) {
        await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
      }
      const invocation = await this.attempt(input, awsRequestId);
      attempts.push(invocation);
      if (invocation.ok) {
        return { status: 'SUCCEEDED', awsRequestId, attempts };
      }
    }
    const last = attempts[attempts.length - 1];
    this.deadLetters.push({ input, error: last.error ?? { name: 'Error', message: 'unknown' }, attempts: attempts.length });
    return { status: 'DEAD_LETTERED', awsRequestId, attempts };
  }

  /** EventBridge delivering one event `copies` times at once (at-least-once delivery). */
  public deliver(input: unknown, copies = 1): Promise<AsyncResult[]> {
    if (!Number.isInteger(copies) || copies < 1 || copies > 10) {
      throw new Error(`copies must be 1..10, got ${copies}`);
    }
    return Promise.all(Array.from({ length: copies }, () => this.invoke(input)));
  }

  /** Every instance this invoker used or started, dead or alive. */
  public get pool(): readonly HandlerInstance[] {
    return [...this.instances];
  }

  /** Kills every instance of the pool. */
  public async close(): Promise<void> {
    await Promise.all(this.instances.filter((instance) => instance.alive).map((instance) => instance.kill()));
  }

  private async attempt(input: unknown, awsRequestId: string): Promise<Invocation> {
    const instance = this.pick();
    if (!instance) {
      return { ok: false, error: { name: 'NoExecutionEnvironment', message: 'no live handler instance' }, logs: [], httpCalls: [], durationMs: 0 };
    }
    this.running.set(instance, (this.running.get(instance) ?? 0) + 1);
    try {
      return await instance.invoke(input, { awsRequestId, invokedFunctionArn: this.options.functionArn });
    } catch (error) {
      // The execution environment died mid-invocation: a failed attempt, like a Lambda timeout or crash.
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, error: { name: 'ExecutionEnvironmentDied', message }, logs: [], httpCalls: [], durationMs: 0 };
    } finally {
      this.running.set(instance, (this.running.get(instance) ?? 1) - 1);
    }
  }

  private pick(): HandlerInstance | undefined {
    let live = this.instances.filter((instance) => instance.alive);
    if (live.length === 0 && this.options.startInstance) {
      const started = this.options.startInstance();
      this.instances.push(started);
      live = [started];
    }
    let best: HandlerInstance | undefined;
    for (const instance of live) {
      if (best === undefined || (this.running.get(instance) ?? 0) < (this.running.get(best) ?? 0)) {
        best = instance;
      }
    }
    return best;
  }
}
