import { CloudFormationClient, DescribeStackEventsCommand, DescribeStacksCommand, Stack, StackEvent } from '@aws-sdk/client-cloudformation';
import { CLOCK_SKEW_TOLERANCE_MS, STACK_RESOURCE_TYPE, StackHistory, StackTransition, StackView, stackToActOn } from './decide-stack-action';
import type { CallTrace } from '../../shared/call-trace';
import { errorName, UnexpectedAnswerError } from '../../shared/errors';

/**
 * How many DescribeStackEvents pages one read may take before it gives up.
 * A page holds up to 1 MB of events (DescribeStackEvents API reference); an
 * alarm whose time is further back than this many pages is older than any
 * update worth cancelling, and the event is retried, then dead-lettered, with
 * the reason.
 */
export const MAX_EVENT_PAGES = 50;

/** The stack, resolved to its root, with the stack-level events back to the alarm's time. */
export interface FoundStack extends StackHistory {
  /** The nested stack the target names, when the decision is about its root. */
  readonly resolvedFrom?: string;
}

/**
 * Reads what the decision needs: DescribeStacks for the stack (and for its
 * root when it is nested, since a nested stack's update is its root's), then
 * DescribeStackEvents of that stack, newest first (DescribeStackEvents API
 * reference: "in reverse chronological order"), stopping at the first page
 * that holds a stack-level event older than the alarm's time less the skew
 * tolerance. That event tells the stack's status at the alarm; the newer ones
 * tell every change since. When the first read says UPDATE_IN_PROGRESS and
 * the newest stack-level event says otherwise, DescribeStacks is read once
 * more, after the events (`StackHistory.statusAfterEvents`).
 *
 * Answers undefined when the stack does not exist: DescribeStacks refuses an
 * unknown name with a ValidationError "Stack with id ... does not exist".
 */
export async function findUpdateInFlight(
  client: CloudFormationClient,
  trace: CallTrace,
  stackName: string,
  alarmAt: number,
  receivedAt: number,
  options: { readonly skewMs?: number; readonly maxPages?: number } = {},
): Promise<FoundStack | undefined> {
  const asked = await describeStack(client, trace, stackName);
  if (asked === undefined) {
    return undefined;
  }
  const rootId = stackToActOn(asked);
  const stack = rootId === asked.stackId ? asked : await describeStack(client, trace, rootId);
  if (stack === undefined) {
    throw new UnexpectedAnswerError(`stack ${asked.stackName} names its root ${rootId}, which DescribeStacks does not find`);
  }
  const stopAt = Math.min(alarmAt, receivedAt) - (options.skewMs ?? CLOCK_SKEW_TOLERANCE_MS);
  const maxPages = options.maxPages ?? MAX_EVENT_PAGES;
  const transitions: StackTransition[] = [];
  let nextToken: string | undefined;
  for (let page = 1; ; page++) {
    trace.add('cloudformation:DescribeStackEvents');
    const answer = await client.send(new DescribeStackEventsCommand({ StackName: stack.stackId, NextToken: nextToken }));
    for (const event of answer.StackEvents ?? []) {
      // The stack's own events: a nested stack's resource in its parent has
      // the same type but the child's ID.
      if (event.ResourceType === STACK_RESOURCE_TYPE && event.PhysicalResourceId === stack.stackId) {
        transitions.push(transition(event, stack.stackName));
      }
    }
    nextToken = answer.NextToken || undefined;
    const reached = transitions.length > 0 && transitions[transitions.length - 1].at <= stopAt;
    if (reached || nextToken === undefined) {
      break;
    }
    if (page >= maxPages) {
      throw new Error(`read ${maxPages} pages of stack ${stack.stackName}'s events without reaching the alarm's time ${new Date(stopAt).toISOString()}; `
        + 'an alarm that old has no update in flight to cancel');
    }
  }
  const resolvedFrom = rootId === asked.stackId ? undefined : asked.stackId;
  if (stack.status === 'UPDATE_IN_PROGRESS' && transitions.length > 0 && transitions[0].status !== 'UPDATE_IN_PROGRESS') {
    // The events, read after the status, show the stack out of the update:
    // another delivery's cancel (or the bake gate's failure, or the update's
    // end) landed between the two reads. Or the events lag the status and do
    // not show a newer update's start yet. Neither API Reference says the
    // two calls read one moment (research/cloudformation-verify.md b7); only
    // a read after the events tells which, as a refused AppConfig stop is
    // settled by reading it again.
    const again = await describeStack(client, trace, stack.stackId);
    return { stack, transitions, resolvedFrom, statusAfterEvents: again?.status };
  }
  return { stack, transitions, resolvedFrom };
}

async function describeStack(client: CloudFormationClient, trace: CallTrace, stackName: string): Promise<StackView | undefined> {
  trace.add('cloudformation:DescribeStacks');
  let stacks: Stack[];
  try {
    stacks = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks ?? [];
  } catch (error) {
    if (errorName(error) === 'ValidationError' && /does not exist/.test((error as Error).message)) {
      return undefined;
    }
    throw error;
  }
  const found = stacks[0];
  if (found === undefined) {
    return undefined;
  }
  if (!found.StackId || !found.StackName || !found.StackStatus) {
    throw new UnexpectedAnswerError(`CloudFormation DescribeStacks returned stack ${stackName} without StackId, StackName or StackStatus`);
  }
  return {
    stackId: found.StackId,
    stackName: found.StackName,
    status: found.StackStatus,
    parentId: found.ParentId || undefined,
    rootId: found.RootId || undefined,
  };
}

function transition(event: StackEvent, stackName: string): StackTransition {
  const at = event.Timestamp instanceof Date ? event.Timestamp.getTime() : NaN;
  if (!event.EventId || !event.ResourceStatus || Number.isNaN(at)) {
    throw new UnexpectedAnswerError(`CloudFormation DescribeStackEvents returned an event of stack ${stackName} without EventId, ResourceStatus or Timestamp`);
  }
  return {
    eventId: event.EventId,
    status: event.ResourceStatus,
    at,
    token: event.ClientRequestToken || undefined,
    operationId: event.OperationId || undefined,
  };
}
