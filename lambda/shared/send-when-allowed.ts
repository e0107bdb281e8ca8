import type { MiddlewareStack } from '@smithy/types';
import { NotAllowedError } from './errors';

/** What a held command came to: its answer, or nothing sent because it was not allowed. */
export type HeldSend<T> = { readonly sent: true; readonly answer: T } | { readonly sent: false };

/** A client whose commands can be built before they may be sent. */
interface HoldableClient {
  // The stack's type parameters differ from client to client; the hold only needs `add`.
  readonly middlewareStack: MiddlewareStack<any, any>;
}

/** A command whose own middleware stack can carry its hold. */
interface HoldableCommand {
  readonly input: object;
  readonly middlewareStack: MiddlewareStack<any, any>;
}

const holdingClients = new WeakSet<object>();

/**
 * Lets the client serialize and sign a command while the condition it waits
 * for is still open, and holds only its transport. A call that must follow an
 * earlier answer then costs, after that answer, the transport alone: the
 * SDK's own work (endpoint, serialization, signing) is most of what a call
 * costs the caller, and it is done while the earlier request is out.
 */
export function holdUntilAllowed<C extends HoldableClient>(client: C): C {
  holdingClients.add(client);
  return client;
}

/**
 * Sends a command once `allowed` resolves true, and never if it resolves
 * false. `send` sends `command` on `client`. Nothing reaches the wire before
 * `allowed` settles, whatever the client; a client set up with
 * `holdUntilAllowed` builds and signs the request meanwhile.
 *
 * The hold sits on the command's own middleware stack with its condition in
 * its closure, so it cannot lose track of the condition: there is no lookup
 * that could miss and let the request through.
 */
export async function sendWhenAllowed<T>(
  client: object,
  command: HoldableCommand,
  allowed: Promise<boolean>,
  send: () => Promise<T>,
): Promise<HeldSend<T>> {
  if (!holdingClients.has(client)) {
    return await allowed ? { sent: true, answer: await send() } : { sent: false };
  }
  command.middlewareStack.add(
    (next) => async (args) => {
      if (!await allowed) {
        throw new NotAllowedError('the condition of this command resolved false; nothing was sent');
      }
      return next(args);
    },
    // Last before the transport: after signing, and inside the retries, so a
    // retried attempt passes the already settled condition at once.
    { step: 'deserialize', priority: 'low', name: 'holdUntilAllowed' },
  );
  try {
    return { sent: true, answer: await send() };
  } catch (error) {
    if (error instanceof NotAllowedError) {
      return { sent: false };
    }
    throw error;
  }
}
