import { createHash } from 'node:crypto';
import { CancelUpdateStackCommand, CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { StackUpdate } from './decide-stack-action';
import type { CallTrace } from '../../shared/call-trace';
import { errorName } from '../../shared/errors';
import { HeldSend, sendWhenAllowed } from '../../shared/send-when-allowed';

/**
 * What CloudFormation said to the cancel:
 * - `REQUESTED`: accepted; the stack goes to UPDATE_ROLLBACK_IN_PROGRESS.
 * - `ALREADY_REQUESTED`: a cancel with this token was received before
 *   (`TokenAlreadyExistsException`); the token is derived from the claim, so
 *   it was ours, for this very update.
 * - `NOT_UPDATING`: refused because the stack has left UPDATE_IN_PROGRESS
 *   since it was read (the only status the call accepts); the caller reads the
 *   stack again and classifies, as for a refused AppConfig stop.
 */
export type CancelAnswer = 'REQUESTED' | 'ALREADY_REQUESTED' | 'NOT_UPDATING';

/** The prefix of our cancel tokens, so a stack's events show which cancels were the library's. */
export const CANCEL_TOKEN_PREFIX = 'alarm-rollback-';

/**
 * The ClientRequestToken of the cancel of one update: the same for every
 * retry of the same claim, so CloudFormation takes a retried call for the same
 * request (CancelUpdateStack API reference: "Specify this token if you plan to
 * retry requests"). The token shape is 1 to 128 characters matching
 * `[a-zA-Z0-9][-a-zA-Z0-9]*` (botocore cloudformation 2010-05-15,
 * ClientRequestToken), which a stack ARN is not; its SHA-256 is.
 */
export function cancelTokenOf(claimKey: string): string {
  return CANCEL_TOKEN_PREFIX + createHash('sha256').update(claimKey).digest('hex');
}

/**
 * Cancels the update once `allowed` resolves true (the claim on the update is
 * ours), and never if it resolves false. CancelUpdateStack needs no
 * iam:PassRole: the rollback runs with the stack's own service role (Service
 * Authorization Reference, AWS CloudFormation: no dependent actions).
 */
export async function cancelUpdateStack(
  client: CloudFormationClient,
  trace: CallTrace,
  update: StackUpdate,
  allowed: Promise<boolean>,
): Promise<HeldSend<CancelAnswer>> {
  const command = new CancelUpdateStackCommand({ StackName: update.stackId, ClientRequestToken: cancelTokenOf(update.claimKey) });
  const traced = allowed.then((ok) => {
    if (ok) trace.add('cloudformation:CancelUpdateStack');
    return ok;
  });
  return sendWhenAllowed(client, command, traced, async (): Promise<CancelAnswer> => {
    try {
      await client.send(command);
      return 'REQUESTED';
    } catch (error) {
      return classifyRefusal(error);
    }
  });
}

/**
 * The refusal outside UPDATE_IN_PROGRESS is a ValidationError whose message
 * says "CancelUpdateStack cannot be called from current stack status"; the
 * API reference lists only TokenAlreadyExistsException, so the message is
 * matched as AWS's CLI users and tools (copilot-cli among them) match it.
 */
function classifyRefusal(error: unknown): CancelAnswer {
  if (errorName(error) === 'TokenAlreadyExistsException') {
    return 'ALREADY_REQUESTED';
  }
  if (errorName(error) === 'ValidationError' && /cannot be called from current stack status/i.test((error as Error).message)) {
    return 'NOT_UPDATING';
  }
  throw error;
}
