import { randomUUID } from 'crypto';
import { Agent, IncomingHttpHeaders, IncomingMessage, ServerResponse, request as httpRequest } from 'http';
import { AddressInfo, createServer as createTcpServer } from 'net';
import { FaultInjector, RecordedRequest, serveWithFault } from './fault-injection';
import { listenOnLoopback } from './loopback-server';
import { FaultOptions } from './service-server';

export interface LatencyProxyOptions extends FaultOptions {
  /** The service to forward to: `http://127.0.0.1:<port>` or `http://localhost:<port>`. */
  readonly target: string;
}

/** A fault-injecting HTTP proxy in front of a local awsJson service such as dynalite. */
export interface LatencyProxy {
  /** `http://127.0.0.1:<port>`, for the client's endpoint. */
  readonly endpoint: string;
  /** Every request received, oldest first; `applied` when the service behind answered 2xx. */
  readonly requests: RecordedRequest[];
  readonly faults: FaultInjector;
  /** Stops listening and cuts open connections and delayed answers. */
  close(): Promise<void>;
}

interface Upstream {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** No injected wait lasts longer than this, so a forgotten rule cannot hang a test. */
export const MAX_PROXY_LATENCY_MS = 30_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Puts the fault rules of the local services (`latency`, `throttle`,
 * `serverError`, `dropConnection`, `afterApply`, `times`) in front of a
 * service that has none, such as dynalite. Each request's operation is the
 * part of `X-Amz-Target` after the dot (`PutItem`, `GetItem`), so a rule can
 * slow down the ledger's writes alone. `afterApply` forwards the request
 * first, so the write is made and only its answer is late or lost: the case
 * a retrying client must recognise. Loopback only.
 */
export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const target = new URL(options.target);
  if (target.protocol !== 'http:' || !LOOPBACK.has(target.hostname)) {
    throw new Error(`the proxy forwards to loopback http only, got ${options.target}`);
  }
  const requests: RecordedRequest[] = [];
  const faults = new FaultInjector(options.faults, options.random);
  const agent = new Agent({ keepAlive: true });

  const forward = (req: IncomingMessage, body: Buffer) => new Promise<Upstream>((resolve, reject) => {
    const upstream = httpRequest({
      host: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port,
      method: req.method,
      path: req.url,
      headers: { ...req.headers, host: target.host },
      agent,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    upstream.on('error', reject);
    upstream.end(body);
  });

  const reply = (res: ServerResponse, record: RecordedRequest, answer: Upstream) => {
    record.status = answer.status;
    if (res.destroyed) return;
    const { connection: _connection, 'keep-alive': _keepAlive, 'transfer-encoding': _encoding, ...headers } = answer.headers;
    res.writeHead(answer.status, { ...headers, 'content-length': String(answer.body.length) });
    res.end(answer.body);
  };
  const replyError = (res: ServerResponse, record: RecordedRequest, status: number, name: string, message: string) => {
    record.error = name;
    const body = Buffer.from(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${name}`, message }));
    reply(res, record, { status, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() }, body });
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const amzTarget = String(req.headers['x-amz-target'] ?? '');
    const operation = amzTarget.includes('.') ? amzTarget.slice(amzTarget.lastIndexOf('.') + 1) : 'Unknown';
    const fault = faults.pick(operation);
    const record: RecordedRequest = {
      operation,
      method: req.method ?? 'POST',
      url: req.url ?? '/',
      params: jsonObject(body),
      headers: { ...req.headers },
      serviceTime: Date.now(),
      ...(fault ? { fault } : {}),
    };
    requests.push(record);

    await serveWithFault(fault, {
      req,
      apply: async () => {
        const answer = await forward(req, body);
        record.applied = answer.status >= 200 && answer.status < 300;
        return answer;
      },
      answer: (answer) => reply(res, record, answer),
      fail: (kind) => (kind === 'throttle'
        ? replyError(res, record, 400, 'ThrottlingException', 'Rate of requests exceeds the allowed throughput.')
        : replyError(res, record, 500, 'InternalServerError', 'Injected internal server error')),
      sleep: (ms) => server.sleep(Math.min(ms, MAX_PROXY_LATENCY_MS), req),
    });
  };

  // 502: the proxy could not reach the service behind it.
  const server = await listenOnLoopback(handle, 502);
  return {
    endpoint: server.endpoint,
    requests,
    faults,
    close: async () => {
      agent.destroy();
      await server.close();
    },
  };
}

/** The awsJson request members, for the request record; `{}` for anything else. */
function jsonObject(body: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : {};
  } catch {
    return {};
  }
}

/**
 * An endpoint on 127.0.0.1 where nothing listens: connections are refused at
 * once, the way an unreachable service fails fastest.
 */
export async function closedEndpoint(): Promise<string> {
  const probe = createTcpServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
