import { createServer } from 'http';
import { AddressInfo } from 'net';

/** A local HTTP endpoint that accepts requests and never answers them: a hanging dependency. */
export interface HangingServer {
  readonly endpoint: string;
  /** How many requests arrived. */
  requests(): number;
  close(): Promise<void>;
}

export async function hangingServer(): Promise<HangingServer> {
  let count = 0;
  const server = createServer(() => {
    count++;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
