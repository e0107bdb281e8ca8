import { IncomingMessage, ServerResponse, createServer } from 'http';
import { AddressInfo } from 'net';

/** An HTTP server of the local services, listening on 127.0.0.1. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Waits that end early when the server closes, so a delayed answer cannot hold a test open. */
  sleep(ms: number): Promise<void>;
  /** Stops listening, ends pending waits and cuts open connections (keep-alive sockets, delayed answers). */
  close(): Promise<void>;
}

/**
 * Listens on a random port of 127.0.0.1 and hands every request, with its
 * whole body, to `onRequest`. A request `onRequest` fails on is answered
 * `failureStatus` with the error's text, unless an answer was already sent.
 */
export async function listenOnLoopback(
  onRequest: (req: IncomingMessage, res: ServerResponse, body: Buffer) => Promise<void> | void,
  failureStatus = 500,
): Promise<LoopbackServer> {
  const timers = new Set<NodeJS.Timeout>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      Promise.resolve()
        .then(() => onRequest(req, res, Buffer.concat(chunks)))
        .catch((error) => {
          if (!res.headersSent && !res.destroyed) {
            res.writeHead(failureStatus, { 'content-type': 'text/plain' });
            res.end(String(error));
          }
        });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    sleep: (ms) => (ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    })),
    close: () => new Promise<void>((resolve, reject) => {
      timers.forEach(clearTimeout);
      timers.clear();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}
