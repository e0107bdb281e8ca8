import { Delivery, EventReport, FinalState, SimulationReport } from './simulation-report';
import { TargetInput, TargetKind } from '../../src/private/contract';

/**
 * The report as a timeline a person reads top to bottom: the rules and the
 * alarm ARNs each watches; each event, the rules it matched (and why the
 * others did not), the API calls each delivery made, the deployment's state
 * before and after, and the outcome; then the final state of every target.
 */
export function formatTimeline(report: Pick<SimulationReport, 'rules' | 'events' | 'finalState'>): string {
  const lines: string[] = [];
  lines.push(`${report.rules.length} rollback rule(s):`);
  for (const rule of report.rules) {
    lines.push(`  ${rule.rule} -> ${rule.kind} target ${rule.target}, watching ${rule.alarmArns.length} alarm(s):`);
    // The ARNs an event's `resources` must name to match the rule (`cdk-alarm-rollback event` writes such events).
    lines.push(...rule.alarmArns.map((arn) => `      ${arn}`));
  }
  for (const event of report.events) {
    lines.push('', ...formatEvent(event));
  }
  lines.push('', ...formatFinalState(report.finalState));
  return lines.join('\n');
}

export function formatEvent(event: EventReport): string[] {
  const transition = event.previousState ? `${event.previousState} -> ${event.state}` : String(event.state);
  const lines = [`#${event.index} ${event.alarmName ?? event.alarmArn ?? 'event'} ${transition}  (event ${event.eventId ?? '?'}, ${event.source})`];
  if (event.deliveries.length === 0) {
    lines.push('    no rule matched: nothing was called');
  }
  for (const delivery of event.deliveries) {
    lines.push(...formatDelivery(delivery));
  }
  for (const rule of event.unmatched) {
    lines.push(`  - ${rule.rule}: not matched (${rule.reason})`);
  }
  return lines;
}

function formatDelivery(delivery: Delivery): string[] {
  const lines = [`  + ${delivery.rule} -> ${describeTarget(delivery.target)}`];
  const calls = delivery.calls.map((c) => `${c.service} ${c.operation} ${c.error ?? c.status ?? ''}`.trim());
  lines.push(`      calls: ${calls.length ? calls.join(', ') : 'none'}`);
  const record = delivery.result ?? (delivery.ledger as Partial<Delivery['result']> | undefined);
  const deployment = record?.deploymentNumber !== undefined ? `deployment ${record.deploymentNumber}`
    : record?.deploymentId !== undefined ? `deployment ${record.deploymentId}` : 'deployment';
  if (record?.stateBefore || record?.stateAfter) {
    lines.push(`      ${deployment}: ${record.stateBefore ?? '?'} -> ${record.stateAfter ?? record.stateBefore}`);
  }
  const attempts = delivery.attempts > 1 ? ` after ${delivery.attempts} attempts` : '';
  if (delivery.status === 'DEAD_LETTERED') {
    lines.push(`      outcome ${delivery.outcome ?? 'FAILED'}: dead-lettered${attempts} (${delivery.error?.name}: ${delivery.error?.message})`);
  } else {
    lines.push(`      outcome ${delivery.outcome}${attempts}: ${delivery.reason ?? ''}`);
  }
  for (const notification of delivery.notifications) {
    lines.push(`      notified ${notification.topicArn}: ${notification.subject ?? ''}`);
  }
  return lines;
}

function describeTarget(target: TargetInput): string {
  return target.kind === TargetKind.APPCONFIG
    ? `AppConfig ${target.applicationId}/${target.environmentId} (${target.name})`
    : `Proton ${target.environmentName} (${target.name})`;
}

export function formatFinalState(state: FinalState): string[] {
  const lines = ['Final state:'];
  for (const environment of state.appConfig) {
    const deployments = environment.deployments.map((d) => `#${d.number} ${d.state}${d.state === 'DEPLOYING' ? ` ${d.percentageComplete}%` : ''}`);
    const detail = environment.error ?? (deployments.length ? `deployments ${deployments.join(', ')}` : 'no deployments');
    lines.push(`  AppConfig ${environment.applicationId}/${environment.environmentId} (${environment.targets.join(', ')}): ${detail}`);
  }
  for (const environment of state.proton) {
    lines.push(`  Proton ${environment.environmentName} (${environment.targets.join(', ')}): ${environment.error ?? environment.deploymentStatus}`);
  }
  return lines;
}
