// The demo's stack part, apart so test/simulate/demo.test.ts runs the same
// steps and checks the timeline they print: `cdk deploy` of the service's
// stack with new code, the bake gate holding the update open, the API's alarm
// firing during the bake, the gate failing, CloudFormation's rollback, and
// the alarm's event finding nothing left to cancel.
import { readFileSync } from 'fs';
import { join } from 'path';
import { CloudFormationClient, UpdateStackCommand } from '@aws-sdk/client-cloudformation';
import { DEMO_ACCOUNT, DEMO_REGION, DemoAlarms, SERVICE_STACK } from './demo-app';
import { alarmStateChange, EventReport, formatEvent, formatStackUpdates, Simulation } from '../local/simulate';

/** When each step of the stack update happened, in epoch milliseconds of the simulation's clock. */
export interface StackUpdateTimeline {
  /** The stack entered UPDATE_IN_PROGRESS. */
  readonly updateStartedAt: number;
  /** The last of the stack's other resources finished updating. */
  readonly resourcesUpdatedAt: number;
  /** The gate's onEvent started the bake. */
  readonly bakeStartedAt: number;
  /** The API's alarm went into ALARM (its event's time). */
  readonly alarmAt: number;
  /** The gate's isComplete failed the update. */
  readonly gateFailedAt: number;
  /** The stack entered UPDATE_ROLLBACK_IN_PROGRESS. */
  readonly rollbackStartedAt: number;
  /** The stack reached UPDATE_ROLLBACK_COMPLETE. */
  readonly rolledBackAt: number;
}

export interface StackUpdateDemo {
  /** What the demo prints, line by line. */
  readonly lines: string[];
  readonly timeline: StackUpdateTimeline;
  /** The delivery of the API alarm's event, after the gate acted. */
  readonly event: EventReport;
}

const seconds = (at: number) => new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Runs the stack part of the demo on `simulation` (started from the demo
 * app's assembly in `outdir`). Every time it prints is on the simulation's
 * one clock, which the local CloudFormation, the bake gate and the handler
 * share, so they tell one timeline.
 */
export async function demoStackUpdate(simulation: Simulation, outdir: string): Promise<StackUpdateDemo> {
  const lines: string[] = [`A stack update with a bake: cdk deploy of ${SERVICE_STACK} (its updates bake 15 minutes)`];
  const state = simulation.cloudFormation.state;
  const client = new CloudFormationClient({
    endpoint: simulation.cloudFormation.endpoint, region: DEMO_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    const template = readFileSync(join(outdir, `${SERVICE_STACK}.template.json`), 'utf8').replace('checkout v2', 'checkout v3');
    await client.send(new UpdateStackCommand({ StackName: SERVICE_STACK, TemplateBody: template, Capabilities: ['CAPABILITY_IAM'] }));
  } finally {
    client.destroy();
  }
  const stackId = state.describeStack(SERVICE_STACK).stackId;
  // DescribeStackEvents order, newest first: the update's start is the newest stack-level UPDATE_IN_PROGRESS.
  const updateStartedAt = state.stackEvents(SERVICE_STACK)
    .find((event) => event.logicalResourceId === SERVICE_STACK && event.resourceStatus === 'UPDATE_IN_PROGRESS')!.timestamp;
  const stackEvents = () => state.stackEvents(SERVICE_STACK).filter((event) => event.timestamp >= updateStartedAt);
  lines.push(`  ${seconds(updateStartedAt)} UpdateStack: ${state.describeStack(SERVICE_STACK).stackStatus}, the function updates`);

  // Half a minute for the function's update, then the gate starts and is polled at once.
  await simulation.advance(40_000);
  const updated = stackEvents().filter((event) => event.logicalResourceId !== SERVICE_STACK && event.resourceStatus === 'UPDATE_COMPLETE');
  const resourcesUpdatedAt = Math.max(...updated.map((event) => event.timestamp));
  lines.push(`  ${seconds(resourcesUpdatedAt)} ${updated.map((event) => event.logicalResourceId).join(', ')} UPDATE_COMPLETE; the gate holds the update:`);
  const holding = simulation.gates.filter((gate) => gate.stack === SERVICE_STACK);
  lines.push(...formatStackUpdates([], holding).map((line) => `    ${line}`));

  // The API starts failing during the bake. CloudWatch stamps the event with
  // the time of the change, on the clock the stack and the handler share.
  const alarmAt = state.now();
  const apiReason = 'Threshold Crossed: 23 5xx responses > 5';
  simulation.cloudWatchIn(DEMO_ACCOUNT, DEMO_REGION)!.state.setAlarmState(DemoAlarms.API_ERRORS, 'ALARM', apiReason);
  lines.push(`  ${seconds(alarmAt)} ${DemoAlarms.API_ERRORS} goes into ALARM during the bake`);

  // The gate's next poll, then CloudFormation's rollback (resources, then cleanup).
  await simulation.advance(30_000);
  const failed = simulation.gates.filter((gate) => gate.stack === SERVICE_STACK && gate.answer === 'FAILED');
  lines.push(...formatStackUpdates([], failed).map((line) => `    ${line}`));
  await simulation.advance(60_000);
  const changes = simulation.stackStatusChanges
    .filter((change) => change.detail['stack-id'] === stackId && Date.parse(change.time) >= updateStartedAt);
  lines.push(`  ${SERVICE_STACK}: ${changes.map((change) => `${change.detail['status-details'].status} (${seconds(Date.parse(change.time))})`).join(' -> ')}`);
  const statusAt = (status: string) => Date.parse(changes.find((change) => change.detail['status-details'].status === status)?.time ?? '');

  // The alarm's event reaches the handler after the gate acted: one update, one action.
  const event = await simulation.deliver(
    alarmStateChange({ alarmArn: `arn:aws:cloudwatch:${DEMO_REGION}:${DEMO_ACCOUNT}:alarm:${DemoAlarms.API_ERRORS}`, reason: apiReason, time: seconds(alarmAt) }),
    'API alarm, its event after the gate acted');
  lines.push(...formatEvent(event));

  return {
    lines,
    event,
    timeline: {
      updateStartedAt,
      resourcesUpdatedAt,
      bakeStartedAt: Date.parse(holding.find((gate) => gate.call === 'onEvent')?.at ?? ''),
      alarmAt,
      gateFailedAt: Date.parse(failed[0]?.at ?? ''),
      rollbackStartedAt: statusAt('UPDATE_ROLLBACK_IN_PROGRESS'),
      rolledBackAt: statusAt('UPDATE_ROLLBACK_COMPLETE'),
    },
  };
}
