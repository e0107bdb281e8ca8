import { join } from 'path';
import { pathToFileURL } from 'url';
import { Worker } from 'worker_threads';
import { SharedClock, SharedClockHandle, WORKER_CLOCK } from './shared-clock';

/** Where `npx projen bundle` writes the handler asset. */
export const HANDLER_ASSET_DIR = join(__dirname, '..', 'assets', 'lambda', 'rollback.lambda');

/**
 * The alarm-state check's entry in the same asset, for `entry`: a worker
 * running it is the function AppConfig's extension invokes.
 */
export const ALARM_STATE_ENTRY = join(HANDLER_ASSET_DIR, 'alarm-state.mjs');

/**
 * The stack target's bake gate in the same asset: one entry for the two
 * functions the Provider framework calls, chosen by `exportName`
 * (`onEvent`, `isComplete`).
 */
export const BAKE_GATE_ENTRY = join(HANDLER_ASSET_DIR, 'bake-gate.mjs');

/** One HTTP request the handler made, timed from inside its execution environment. */
export interface HttpCall {
  readonly method: string;
  /** Path and query string. */
  readonly path: string;
  /** The `x-amz-target` header of JSON-protocol services (DynamoDB, Proton), which names the operation. */
  readonly target?: string;
  /** Real epoch milliseconds (fractional) when the whole request had been handed to the socket. */
  readonly sentAt: number;
  /** Real epoch milliseconds (fractional) when the answer's headers had arrived; undefined if none came. */
  readonly answeredAt?: number;
  readonly status?: number;
}

/** What one invocation did: its answer or error, every line it logged and every HTTP call it made. */
export interface Invocation {
  readonly ok: boolean;
  readonly result?: unknown;
  readonly error?: { readonly name: string; readonly message: string };
  /** The handler's stdout and stderr lines, in order (JSON log lines, EMF). */
  readonly logs: string[];
  /** The HTTP requests made during the invocation, in the order they were sent; empty when the instance gave no answer. */
  readonly httpCalls: HttpCall[];
  /**
   * Real epoch milliseconds (fractional) when the instance called the handler;
   * undefined when the instance gave no answer.
   */
  readonly startedAt?: number;
  readonly durationMs: number;
}

export interface HandlerInstanceOptions {
  /**
   * The handler's environment: the variables the construct sets, plus
   * `AWS_ENDPOINT_URL_<SERVICE>` to point the SDK at local services.
   */
  readonly env: Record<string, string>;
  /**
   * The folder of the bundled asset (index.mjs and its chunks).
   * @default HANDLER_ASSET_DIR
   */
  readonly assetDir?: string;
  /**
   * A handler file to load instead of the asset's index.mjs (an ES module or
   * CommonJS file exporting `handler`), e.g. a baseline to compare against.
   * @default - `index.mjs` in `assetDir`
   */
  readonly entry?: string;
  /**
   * The entry's export to invoke, as a Lambda handler setting's part after
   * the dot (`bake-gate.isComplete`).
   * @default 'handler'
   */
  readonly exportName?: string;
  /**
   * A test's shared clock: the handler's Date, performance.now and
   * setTimeout follow it, so its waits (SDK backoff, request timeouts, claim
   * polls) take no real time once the whole process is idle.
   * @default - the real clock
   */
  readonly clock?: SharedClock;
}

// Runs inside the worker: loads the asset once, like a Lambda execution
// environment, captures what the handler writes, times its HTTP calls on its
// own clock (the services' threads may lag behind it), and answers one
// invocation at a time.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
${WORKER_CLOCK}
const diagnostics = require('node:diagnostics_channel');
const stamp = () => performance.timeOrigin + performance.now();
let lines = [];
let calls = [];
let pending = new WeakMap();
const capture = (...args) => { lines.push(args.map((a) => typeof a === 'string' ? a : JSON.stringify(a)).join(' ')); };
console.log = capture; console.info = capture; console.warn = capture; console.error = capture; console.debug = capture;
diagnostics.subscribe('http.client.request.start', ({ request }) => {
  const target = request.getHeader('x-amz-target');
  const call = { method: request.method, path: request.path, target: target === undefined ? undefined : String(target), sentAt: stamp() };
  calls.push(call);
  pending.set(request, call);
});
diagnostics.subscribe('http.client.response.finish', ({ request, response }) => {
  const call = pending.get(request);
  if (call) { call.answeredAt = stamp(); call.status = response.statusCode; }
});
const loaded = import(workerData.entry);
parentPort.on('message', async (message) => {
  if (clockMessage(message)) return;
  clockReceived();
  const { input, context } = message;
  lines = [];
  calls = [];
  pending = new WeakMap();
  const started = performance.now();
  const startedAt = performance.timeOrigin + started;
  try {
    const handler = (await loaded)[workerData.exportName];
    if (typeof handler !== 'function') throw new Error('the entry exports no function ' + workerData.exportName);
    const result = await handler(input, context);
    clockPosting();
    parentPort.postMessage({ ok: true, result, logs: lines, httpCalls: calls, startedAt, durationMs: performance.now() - started });
  } catch (error) {
    const e = error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
    clockPosting();
    parentPort.postMessage({ ok: false, error: e, logs: lines, httpCalls: calls, startedAt, durationMs: performance.now() - started });
  }
});
`;

/**
 * One Lambda execution environment for the bundled handler: a worker thread
 * with its own environment variables and module state, which handles one
 * invocation at a time. Several instances run side by side, as Lambda scales
 * out; `kill()` ends one mid-invocation, as a crash or timeout would.
 */
export class HandlerInstance {
  public static start(options: HandlerInstanceOptions): HandlerInstance {
    return new HandlerInstance(options);
  }

  private readonly worker: Worker;
  private readonly clock?: { readonly shared: SharedClock; readonly handle: SharedClockHandle };
  private queue: Promise<unknown> = Promise.resolve();
  private killed = false;
  private exited = false;

  private constructor(options: HandlerInstanceOptions) {
    const entry = pathToFileURL(options.entry ?? join(options.assetDir ?? HANDLER_ASSET_DIR, 'index.mjs')).href;
    if (options.clock) {
      this.clock = { shared: options.clock, handle: options.clock.join((message) => this.worker.postMessage(message)) };
    }
    this.worker = new Worker(WORKER, {
      eval: true,
      workerData: { entry, exportName: options.exportName ?? 'handler', clock: this.clock?.handle },
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        PATH: process.env.PATH ?? '',
        ...options.env,
      },
    });
    this.worker.once('exit', () => {
      this.exited = true;
      this.clock?.shared.leave(this.clock.handle.slot);
    });
    this.worker.unref();
  }

  /** False once the instance was killed or its worker ended; it takes no more invocations. */
  public get alive(): boolean {
    return !this.killed && !this.exited;
  }

  /** Invokes the handler; invocations on one instance run one after another, as on Lambda. */
  public invoke(input: unknown, context: { awsRequestId?: string; invokedFunctionArn?: string } = {}): Promise<Invocation> {
    const next = this.queue.then(() => this.send(input, context));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Ends the instance at once, whatever it is doing. */
  public async kill(): Promise<void> {
    this.killed = true;
    await this.worker.terminate();
  }

  private send(input: unknown, context: { awsRequestId?: string; invokedFunctionArn?: string }): Promise<Invocation> {
    if (!this.alive) {
      return Promise.reject(new Error('this handler instance was killed; start another'));
    }
    return new Promise<Invocation>((resolve, reject) => {
      const onMessage = (message: Invocation) => {
        this.worker.off('exit', onExit);
        // After its exit the slot may serve another worker already.
        if (!this.exited) this.clock?.shared.received(this.clock.handle.slot, true);
        else this.clock?.shared.abandoned();
        resolve(message);
      };
      const onExit = (code: number) => {
        this.worker.off('message', onMessage);
        this.clock?.shared.abandoned();
        reject(new Error(`the handler instance exited with code ${code} during the invocation`));
      };
      this.worker.once('message', onMessage);
      this.worker.once('exit', onExit);
      this.clock?.shared.posting(this.clock.handle.slot, true);
      this.worker.postMessage({ input, context });
    });
  }
}

/**
 * A loopback address nothing listens on. A service the caller runs no local
 * copy of is pointed here, so a call to it is refused at once on this machine
 * and never reaches AWS with test credentials.
 */
export const NO_LOCAL_SERVICE = 'http://127.0.0.1:1';

/**
 * `AWS_ENDPOINT_URL_<SERVICE>` variables that point every SDK client the
 * handler builds at local services; a service left out gets
 * `NO_LOCAL_SERVICE`.
 */
export function localEndpoints(
  endpoints: { appConfig?: string; proton?: string; dynamo?: string; sns?: string; cloudWatch?: string; cloudFormation?: string },
): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_APPCONFIG: endpoints.appConfig ?? NO_LOCAL_SERVICE,
    AWS_ENDPOINT_URL_PROTON: endpoints.proton ?? NO_LOCAL_SERVICE,
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamo ?? NO_LOCAL_SERVICE,
    AWS_ENDPOINT_URL_SNS: endpoints.sns ?? NO_LOCAL_SERVICE,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpoints.cloudWatch ?? NO_LOCAL_SERVICE,
    AWS_ENDPOINT_URL_CLOUDFORMATION: endpoints.cloudFormation ?? NO_LOCAL_SERVICE,
  };
}
