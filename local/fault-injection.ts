import type { IncomingMessage } from 'http';

/** What a fault does to a request. */
export type FaultKind = 'latency' | 'throttle' | 'serverError' | 'dropConnection';

/**
 * One fault rule. The first rule that matches a request's operation, still has
 * `times` left and passes its `probability` draw decides that request's fault.
 */
export interface FaultRule {
  /** The operation name (`StopDeployment`, `CancelEnvironmentDeployment`) or `*` for all. */
  readonly operation: string;
  /**
   * - `latency`: answer normally, `latencyMs` late.
   * - `throttle`: answer with the service's throttling error (the SDK retries it).
   * - `serverError`: answer 500 InternalServerException (the SDK retries it).
   * - `dropConnection`: destroy the socket without an answer.
   */
  readonly fault: FaultKind;
  /**
   * Wait this long before the fault (or the answer, for `latency`).
   * @default 0
   */
  readonly latencyMs?: number;
  /**
   * Apply the operation to the service state first, then fault: the caller
   * sees a failure (or a timeout, with a large `latencyMs`) for a change AWS
   * has made, the case a retrying caller must recognise.
   * @default false
   */
  readonly afterApply?: boolean;
  /**
   * Affect this many requests, then stop matching.
   * @default - every matching request
   */
  readonly times?: number;
  /**
   * Affect each matching request with this probability (0..1).
   * @default 1
   */
  readonly probability?: number;
}

/** The fault injected into one request, as recorded in `requests`. */
export interface AppliedFault {
  readonly kind: FaultKind;
  readonly afterApply: boolean;
  readonly latencyMs: number;
}

/** One request as the local service received it. */
export interface RecordedRequest {
  /** The operation name, or `Unknown` when no operation matched. */
  readonly operation: string;
  readonly method: string;
  /** Path and query string as sent. */
  readonly url: string;
  /** Path, query, header and body parameters by their model member names. */
  readonly params: Record<string, unknown>;
  readonly headers: Record<string, string | string[] | undefined>;
  /** Service (virtual clock) epoch milliseconds when the request arrived. */
  readonly serviceTime: number;
  /** The injected fault, if any. */
  fault?: AppliedFault;
  /** The HTTP status answered; undefined while pending or when the connection was dropped. */
  status?: number;
  /** The error name answered, if any. */
  error?: string;
  /**
   * True once the operation succeeded against the service state, whether or
   * not its answer reached the caller (an `afterApply` fault, a caller that
   * gave up waiting). Counts the changes really made, such as stops applied.
   */
  applied?: boolean;
  /**
   * Set when the local service itself broke its model: it answered an error
   * the model does not list for the operation, or left out a member the model
   * requires in the output. The caller got an internal error instead.
   */
  defect?: string;
}

/** The rules a local service applies, changeable while it runs. */
export class FaultInjector {
  private readonly entries: { rule: FaultRule; used: number }[] = [];

  /** @param random the probability draw, replaceable for reproducible tests */
  constructor(rules: readonly FaultRule[] = [], private readonly random: () => number = Math.random) {
    rules.forEach((rule) => this.add(rule));
  }

  add(rule: FaultRule): this {
    if (rule.probability !== undefined && (rule.probability < 0 || rule.probability > 1)) {
      throw new Error(`probability must be within 0..1, got ${rule.probability}`);
    }
    this.entries.push({ rule, used: 0 });
    return this;
  }

  clear(): void {
    this.entries.length = 0;
  }

  get rules(): readonly FaultRule[] {
    return this.entries.map((entry) => entry.rule);
  }

  /** Draws the fault for one request of `operation`, counting it against the rule's `times`. */
  pick(operation: string): AppliedFault | undefined {
    for (const entry of this.entries) {
      const { rule } = entry;
      if (rule.operation !== '*' && rule.operation !== operation) continue;
      if (rule.times !== undefined && entry.used >= rule.times) continue;
      if (rule.probability !== undefined && this.random() >= rule.probability) continue;
      entry.used += 1;
      return { kind: rule.fault, afterApply: rule.afterApply ?? false, latencyMs: rule.latencyMs ?? 0 };
    }
    return undefined;
  }
}

/** What a local server does for one request, in its own protocol's terms. */
export interface FaultedRequest<T> {
  /** The request, whose connection a `dropConnection` fault destroys. */
  readonly req: IncomingMessage;
  /** Carries out the operation: on the service's state, or at the service behind a proxy. */
  apply(): T | Promise<T>;
  /** Sends the operation's outcome. */
  answer(outcome: T): void;
  /** Sends the service's own error for a `throttle` or `serverError` fault. */
  fail(kind: 'throttle' | 'serverError'): void;
  /** Waits, ending early when the server closes. */
  sleep(ms: number): Promise<void>;
}

/**
 * Serves one request under its fault, the same way in every local server:
 * the latency first, or after the operation with `afterApply`; then the
 * answer, or the fault's failure in its place.
 */
export async function serveWithFault<T>(fault: AppliedFault | undefined, request: FaultedRequest<T>): Promise<void> {
  if (!fault) {
    request.answer(await request.apply());
    return;
  }
  const applied = fault.afterApply ? { outcome: await request.apply() } : undefined;
  await request.sleep(fault.latencyMs);
  switch (fault.kind) {
    case 'latency':
      request.answer(applied ? applied.outcome : await request.apply());
      return;
    case 'dropConnection':
      request.req.socket.destroy();
      return;
    case 'throttle':
    case 'serverError':
      request.fail(fault.kind);
      return;
  }
}
