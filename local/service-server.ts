import { randomUUID } from 'crypto';
import { IncomingMessage, ServerResponse } from 'http';
import { FaultInjector, FaultRule, RecordedRequest, serveWithFault } from './fault-injection';
import { listenOnLoopback } from './loopback-server';
import { ErrorEncoding, ServiceError } from './service-error';
import { VirtualClock } from './virtual-clock';

/** A successful answer: status from the operation's model, JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** A request matched to an operation; `invoke` applies it to the state. */
export interface Route {
  readonly operation: string;
  readonly params: Record<string, unknown>;
  /** Applies the operation; throws a ServiceError for a modeled error. */
  invoke(): Reply | Promise<Reply>;
}

/** What distinguishes one AWS protocol (and service) from another. */
export interface ServiceProtocol {
  readonly contentType: string;
  /** Matches a request to an operation. Never throws: an unmatched request routes to `Unknown`. */
  route(request: IncomingMessage, url: URL, body: string): Route;
  encodeError(error: ServiceError): ErrorEncoding;
  /** The error this service throttles with. */
  throttlingError(): ServiceError;
  /**
   * The service's own 500 error, for an injected `serverError` or a failure of the local state.
   * @default - InternalServerException, which AppConfig's and Proton's models declare
   */
  internalError?(message: string): ServiceError;
}

/** Options every local service takes besides its clock. */
export interface FaultOptions {
  /**
   * Fault rules in force from the start; add more with `faults.add()`.
   * @default - none
   */
  readonly faults?: readonly FaultRule[];
  /**
   * The draw for rules with a `probability`.
   * @default Math.random
   */
  readonly random?: () => number;
}

/** A local service listening on 127.0.0.1. */
export interface RunningService {
  /** `http://127.0.0.1:<port>`, for a client's `endpoint` or the CLI's `--endpoint-url`. */
  readonly endpoint: string;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  readonly faults: FaultInjector;
  /** Stops listening and cuts open connections (keep-alive sockets, delayed answers). */
  close(): Promise<void>;
}

/** Serves `protocol` on a random port of 127.0.0.1, recording requests and injecting faults. */
export async function startService(protocol: ServiceProtocol, clock: VirtualClock, options: FaultOptions = {}): Promise<RunningService> {
  const requests: RecordedRequest[] = [];
  const faults = new FaultInjector(options.faults, options.random);
  const internalError = (message: string) => protocol.internalError?.(message) ?? new ServiceError('InternalServerException', 500, message);
  const send = (res: ServerResponse, record: RecordedRequest, status: number, headers: Record<string, string>, body: string) => {
    record.status = status;
    if (res.destroyed) return;
    res.writeHead(status, {
      ...headers,
      'content-length': String(Buffer.byteLength(body)),
      // The SDK reports this as $metadata.requestId.
      'x-amzn-requestid': randomUUID(),
    });
    res.end(body);
  };
  const sendError = (res: ServerResponse, record: RecordedRequest, error: ServiceError) => {
    record.error = error.name;
    const { headers, body } = protocol.encodeError(error);
    send(res, record, error.status, headers, body);
  };
  const run = async (route: Route, record: RecordedRequest): Promise<Reply | ServiceError> => {
    try {
      const reply = await route.invoke();
      record.applied = true;
      return reply;
    } catch (error) {
      return error instanceof ServiceError ? error : internalError(String(error));
    }
  };
  const answer = (res: ServerResponse, record: RecordedRequest, outcome: Reply | ServiceError) => {
    if (outcome instanceof ServiceError) {
      sendError(res, record, outcome);
    } else {
      send(res, record, outcome.status, { 'content-type': protocol.contentType }, JSON.stringify(outcome.body));
    }
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = protocol.route(req, url, body);
    const fault = faults.pick(route.operation);
    const record: RecordedRequest = {
      operation: route.operation,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      params: route.params,
      headers: { ...req.headers },
      serviceTime: clock.now(),
      ...(fault ? { fault } : {}),
    };
    requests.push(record);

    await serveWithFault(fault, {
      req,
      apply: () => run(route, record),
      answer: (outcome) => answer(res, record, outcome),
      // The SDK retries any 500.
      fail: (kind) => sendError(res, record, kind === 'throttle'
        ? protocol.throttlingError()
        : internalError('Injected internal server error')),
      sleep: (ms) => server.sleep(ms, req),
    });
  };

  const server = await listenOnLoopback((req, res, body) => handle(req, res, body.toString('utf8')));
  return {
    endpoint: server.endpoint,
    requests,
    faults,
    close: () => server.close(),
  };
}
