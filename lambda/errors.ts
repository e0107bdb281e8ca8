/**
 * The handler's error helpers and the errors it raises itself. Every error
 * that reaches the entry is recorded as FAILED and thrown, so Lambda retries
 * the event and finally sends it to the dead-letter queue.
 */

/** An answer from AWS that does not have the documented shape. */
export class UnexpectedAnswerError extends Error {
  public readonly name = 'UnexpectedAnswerError';
}

/** The ledger could not keep a record; the log line has it, and the event goes to retry and the dead-letter queue. */
export class LedgerWriteError extends Error {
  public readonly name = 'LedgerWriteError';
}

/**
 * Another event holds the claim on the stop or cancel call, and this event
 * did not see the deployment stopped within its wait: the holder failed, gave
 * the claim back, or is still waiting for its answer. Thrown so Lambda retries
 * the event, which then reads the deployment afresh.
 */
export class HolderNotDoneError extends Error {
  public readonly name = 'HolderNotDoneError';
}

/** `Name: message` of any thrown value, short enough for a ledger attribute. */
export function errorText(error: unknown): string {
  if (error instanceof Error) {
    return `${error.name}: ${error.message}`.slice(0, 1000);
  }
  return String(error).slice(0, 1000);
}

/** The name of an SDK or handler error, which is what the handler classifies on. */
export function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
