/** What the two entries (the rollback handler and the alarm-state check) share about one invocation. */

/** The target name of records whose input named no readable target. */
export const UNKNOWN_TARGET = '(unknown target)';

/** Lambda's request id, or, in a local run that has none, a stand-in unique to this invocation. */
export function requestIdOf(awsRequestId: string | undefined, startedAt: number): string {
  return awsRequestId ?? `local-${startedAt}-${Math.random().toString(36).slice(2, 10)}`;
}
