/**
 * The handler's error helpers and every error class it raises itself, for
 * both entries. An error that reaches the rollback entry is recorded as
 * FAILED and thrown, so Lambda retries the event and finally sends it to the
 * dead-letter queue; the alarm-state check throws only DeploymentBlockedError.
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

/**
 * CloudFormation refused a cancel because the stack had left
 * UPDATE_IN_PROGRESS since it was read. Named as CloudFormation names its
 * refusal (ValidationError), so the claim protocol reads the stack again and
 * classifies it as it does any refused stop.
 */
export class StackNotUpdatingError extends Error {
  public readonly name = 'ValidationError';
}

/** DescribeAlarms did not answer within the time its caller allowed. */
export class AlarmReadTimeoutError extends Error {
  public readonly name = 'AlarmReadTimeoutError';
  constructor(public readonly withinMs: number) {
    super(`DescribeAlarms did not answer within ${withinMs} ms`);
  }
}

/**
 * Refuses a deployment's start. PRE_START_DEPLOYMENT is a PRE_* action
 * point: an error from the function prevents the action (AppConfig User
 * Guide, "Step 3: Create a custom AWS AppConfig extension").
 */
export class DeploymentBlockedError extends Error {
  public readonly name = 'DeploymentBlockedError';
}

/**
 * A held command whose condition resolved false: it never reaches the wire
 * (see `send-when-allowed.ts`), and never leaves that module.
 */
export class NotAllowedError extends Error {
  public readonly name = 'NotAllowed';
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
