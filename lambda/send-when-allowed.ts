import type { DeserializeHandlerArguments, MiddlewareStack } from '@smithy/types';

/** What a held command came to: its answer, or nothing sent because it was not allowed. */
export type HeldSend<T> = { readonly sent: true; readonly answer: T } | { readonly sent: false };

/** A client whose commands can be built before they may be sent. */
interface HoldableClient {
  // The stack's type parameters differ from client to client; the hold only reads `input`.
  readonly middlewareStack: MiddlewareStack<any, any>;
}

// Keyed by the command's input object, which the SDK hands unchanged to every step.
const conditions = new WeakMap<object, Promise<boolean>>();
const holdingClients = new WeakSet<object>();

class NotAllowed extends Error {
  public readonly name = 'NotAllowed';
}

/**
 * Lets the client serialize and sign a command while the condition it waits
 * for is still open, and holds only its transport. A call that must follow an
 * earlier answer then costs, after that answer, the transport alone: the
 * SDK's own work (endpoint, serialization, signing) is most of what a call
 * costs the caller, and it is done while the earlier request is out.
 */
export function holdUntilAllowed<C extends HoldableClient>(client: C): C {
  client.middlewareStack.add(
    (next) => async (args: DeserializeHandlerArguments<any>) => {
      const allowed = conditions.get(args.input as object);
      if (allowed !== undefined && !await allowed) {
        throw new NotAllowed('the condition of this command resolved false; nothing was sent');
      }
      return next(args);
    },
    // Last before the transport: after signing, and inside the retries, so a
    // retried attempt passes the already settled condition at once.
    { step: 'deserialize', priority: 'low', name: 'holdUntilAllowed' },
  );
  holdingClients.add(client);
  return client;
}

/**
 * Sends a command once `allowed` resolves true, and never if it resolves
 * false. `send` sends `command` on `client`. Nothing reaches the wire before
 * `allowed` settles, whatever the client; a client set up with
 * `holdUntilAllowed` builds and signs the request meanwhile.
 */
export async function sendWhenAllowed<T>(
  client: object,
  command: { readonly input: object },
  allowed: Promise<boolean>,
  send: () => Promise<T>,
): Promise<HeldSend<T>> {
  if (!holdingClients.has(client)) {
    return await allowed ? { sent: true, answer: await send() } : { sent: false };
  }
  conditions.set(command.input, allowed);
  try {
    return { sent: true, answer: await send() };
  } catch (error) {
    if (error instanceof NotAllowed) {
      return { sent: false };
    }
    throw error;
  }
}
