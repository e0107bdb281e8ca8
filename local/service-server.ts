import { randomUUID } from 'crypto';
import { IncomingMessage, ServerResponse } from 'http';
import { FaultInjector, FaultRule, RecordedRequest, serveWithFault } from './fault-injection';
import { listenOnLoopback } from './loopback-server';
import { ErrorEncoding, ServiceError } from './service-error';
import { checkInput, mayAnswer, missingOutput, Refusal, ServiceRules } from './service-model';
import { VirtualClock } from './virtual-clock';

/** A successful answer: status from the operation's model, JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** A request matched to an operation; `invoke` applies it to the state. */
export interface Route {
  readonly operation: string;
  /** The request's input by model member names; URI, query and header members as the text sent. */
  readonly params: Record<string, unknown>;
  /**
   * Why the request cannot be read at all (a body that is not JSON, a
   * protocol not served), answered before the input is checked.
   * @default - the request is readable
   */
  readonly refusal?: ServiceError;
  /**
   * Applies the operation to `input`: `params` after they passed the model's
   * rules, with URI, query and header members read into their types. Throws a
   * ServiceError for a modeled error.
   */
  invoke(input: Record<string, unknown>): Reply | Promise<Reply>;
}

/** What distinguishes one AWS protocol (and service) from another. */
export interface ServiceProtocol {
  readonly contentType: string;
  /** The service model's rules for the operations served (local/models/<service>.rules.json). */
  readonly rules: ServiceRules;
  /** The service's answer to a request that breaks the model's rules. */
  readonly invalid: Refusal;
  /**
   * Codes the service may answer any operation with besides those the model
   * lists for it: its API Reference's "Common Errors" and its protocol's own.
   */
  readonly commonErrors: readonly string[];
  /** The code a client reports for the error (the awsQuery code under awsQueryCompatible, else its name). */
  errorCode(error: ServiceError): string;
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
  const modelled = (operation: string) => Object.hasOwn(protocol.rules.operations, operation);
  const apply = async (route: Route, record: RecordedRequest): Promise<Reply | ServiceError> => {
    try {
      if (route.refusal) throw route.refusal;
      const input = modelled(route.operation)
        ? checkInput(protocol.rules, route.operation, route.params, protocol.invalid)
        : route.params;
      const reply = await route.invoke(input);
      record.applied = true;
      return reply;
    } catch (error) {
      return error instanceof ServiceError ? error : internalError(String(error));
    }
  };
  // The model bounds what this service may answer: an error the model does not
  // list for the operation, or an answer without a member the model requires,
  // is this emulator's defect. The caller gets an internal error naming it, and
  // the request record keeps it, so no test passes on an answer AWS cannot give.
  const run = async (route: Route, record: RecordedRequest): Promise<Reply | ServiceError> => {
    const outcome = await apply(route, record);
    if (!modelled(route.operation)) return outcome;
    const { service, apiVersion } = protocol.rules;
    let defect: string | undefined;
    if (outcome instanceof ServiceError) {
      const code = protocol.errorCode(outcome);
      if (!mayAnswer(protocol.rules, route.operation, code, protocol.commonErrors)) {
        defect = `the local ${service} answered ${route.operation} with ${code} (${outcome.message}), `
          + `which the ${service} ${apiVersion} model does not list for ${route.operation} and is not a common error`;
      }
    } else {
      const missing = missingOutput(protocol.rules, route.operation, outcome.body);
      if (missing.length > 0) {
        defect = `the local ${service} answered ${route.operation} without ${missing.join(', ')}, which the ${service} ${apiVersion} model requires`;
      }
    }
    if (defect === undefined) return outcome;
    record.defect = defect;
    return internalError(`Local service defect: ${defect}.`);
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
