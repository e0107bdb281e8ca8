import { IncomingMessage, ServerResponse, createServer } from 'http';
import { AddressInfo } from 'net';
import { activeSharedClock } from './shared-clock';

/** An HTTP server of the local services, listening on 127.0.0.1. */
export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /**
   * Waits that end early when the server closes, so a delayed answer cannot
   * hold a test open. On a test's shared clock the wait is virtual, and `req`
   * tells the clock which request it holds.
   */
  sleep(ms: number, req?: IncomingMessage): Promise<void>;
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
  const timers = new Set<() => void>();
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
    sleep: (ms, req) => {
      if (ms <= 0) return Promise.resolve();
      const clock = activeSharedClock();
      if (clock) {
        const wait = clock.sleep(ms, req?.socket.remotePort);
        timers.add(wait.cancel);
        return wait.done.then(() => void timers.delete(wait.cancel));
      }
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(cancel);
          resolve();
        }, ms);
        const cancel = () => clearTimeout(timer);
        timers.add(cancel);
      });
    },
    close: () => new Promise<void>((resolve, reject) => {
      timers.forEach((cancel) => cancel());
      timers.clear();
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}
