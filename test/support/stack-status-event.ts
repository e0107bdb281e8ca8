import stackStatusFixture from '../fixtures/cloudformation-stack-status-change.json';

/**
 * The one builder of a CloudFormation "Stack Status Change" event as
 * EventBridge delivers it (CloudFormation User Guide, "Stack Status Change
 * event detail": `detail.stack-id`, `detail.status-details.status`,
 * `detail.client-request-token`; the envelope `time` is its only timestamp).
 * The local CloudFormation emits the same shape from its state machine
 * (`CloudFormationState.onStatusChange`); this builder is for the events a
 * test writes by hand. Every field not given is the fixture's.
 */
export interface StackStatusEventOptions {
  /** The stack ID (ARN): the event's one resource and `detail.stack-id`. @default the fixture's (stack Checkout) */
  readonly stackId?: string;
  /** The status the stack entered. @default 'UPDATE_IN_PROGRESS' */
  readonly status?: string;
  /** The EventBridge event id. @default the fixture's */
  readonly id?: string;
  /** When the status changed, epoch ms (the envelope time, whole seconds as EventBridge stamps it). @default the fixture's */
  readonly at?: number;
  /** Top-level fields replaced last, as they are: for events the handler must refuse. @default none */
  readonly changes?: Record<string, unknown>;
}

/** The fixture's stack ID: stack Checkout of the fixtures' account and Region. */
export const STACK_STATUS_FIXTURE_STACK_ID = stackStatusFixture.detail['stack-id'];

export function stackStatusEvent(options: StackStatusEventOptions = {}): Record<string, any> {
  const event = structuredClone(stackStatusFixture) as Record<string, any>;
  if (options.stackId !== undefined) {
    event.resources = [options.stackId];
    event.detail['stack-id'] = options.stackId;
  }
  if (options.status !== undefined) {
    event.detail['status-details'].status = options.status;
  }
  if (options.id !== undefined) {
    event.id = options.id;
  }
  if (options.at !== undefined) {
    event.time = new Date(Math.floor(options.at / 1000) * 1000).toISOString().replace(/\.000Z$/, 'Z');
  }
  return { ...event, ...options.changes };
}
