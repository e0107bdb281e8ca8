import { BakeGateReport } from './bake-gate-player';
import { Delivery, EventReport, ExtensionCheckReport, FinalState, Hop, SimulationReport, StackUpdateReport, StartReport } from './simulation-report';
import { RollbackOutcome, TargetInput, TargetKind } from '../../src/contract';

/**
 * The report as a timeline a person reads top to bottom: the rules and the
 * alarm ARNs each watches; each event, the rules it matched (and why the
 * others did not), the API calls each delivery made, the deployment's state
 * before and after, and the outcome; then the final state of every target.
 */
export function formatTimeline(
  report: Pick<SimulationReport, 'rules' | 'events' | 'finalState'>
    & Partial<Pick<SimulationReport, 'starts' | 'checks' | 'forwardingRules' | 'stackUpdates' | 'gates'>>,
): string {
  const lines: string[] = [];
  lines.push(`${report.rules.length} rollback rule(s):`);
  const forwarding = report.forwardingRules ?? [];
  // Buses are worth a line only when there is more than the one default bus.
  const buses = forwarding.length > 0 || new Set(report.rules.map((rule) => rule.eventBus)).size > 1
    || report.rules.some((rule) => rule.eventBus !== undefined && !rule.eventBus.endsWith(':event-bus/default'));
  for (const rule of report.rules) {
    const tags = rule.alarmTags ? ` and every alarm tagged ${formatTags(rule.alarmTags)}` : '';
    lines.push(`  ${rule.rule} -> ${rule.kind} target ${rule.target}, watching ${rule.alarmArns.length} alarm(s)${tags}:`);
    // The ARNs an event's `resources` must name to match the rule (`cdk-alarm-rollback event` writes such events).
    lines.push(...rule.alarmArns.map((arn) => `      ${arn}`));
    if (buses && rule.eventBus) lines.push(`    on ${rule.eventBus} (account ${rule.account}, ${rule.region})`);
  }
  if (forwarding.length > 0) {
    lines.push(`${forwarding.length} forwarding rule(s):`);
    for (const rule of forwarding) {
      const tags = rule.alarmTags ? ` and alarms tagged ${JSON.stringify(rule.alarmTags)}` : '';
      lines.push(`  ${rule.rule} (account ${rule.account}, ${rule.region}): ${rule.eventBus} -> ${rule.targetBus}, ${rule.alarmArns.length} alarm(s)${tags}`);
      lines.push(...rule.alarmArns.map((arn) => `      ${arn}`));
    }
  }
  const checks = formatChecks(report.starts ?? [], report.checks ?? []);
  if (checks.length > 0) lines.push('', ...checks);
  const stacks = formatStackUpdates(report.stackUpdates ?? [], report.gates ?? []);
  if (stacks.length > 0) lines.push('', ...stacks);
  for (const event of report.events) {
    lines.push('', ...formatEvent(event));
  }
  lines.push('', ...formatFinalState(report.finalState));
  return lines.join('\n');
}

export function formatEvent(event: EventReport): string[] {
  const transition = event.previousState ? `${event.previousState} -> ${event.state}` : String(event.state);
  const lines = [`#${event.index} ${event.alarmName ?? event.alarmArn ?? 'event'} ${transition}  (event ${event.eventId ?? '?'}, ${event.source})`];
  if (event.entryBus && ((event.hops ?? []).length > 0 || event.note)) lines.push(`    arrives on ${event.entryBus}`);
  if (event.note) lines.push(`    ${event.note}`);
  for (const hop of event.hops ?? []) lines.push(...formatHop(hop));
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

/**
 * The deployments the state file started and what the alarm-state check
 * made of each, then the ticks: every tick that did more than find the
 * alarms quiet (a rollback, a dry run's rollback that was not made, a check
 * that could not read its payload...) on a line of its own under the outcome
 * it recorded, and the ticks that let the deployment continue counted by
 * their reason.
 */
export function formatChecks(starts: readonly StartReport[], checks: readonly ExtensionCheckReport[]): string[] {
  const lines: string[] = [];
  const startChecks = checks.filter((check) => check.actionPoint === 'PRE_START_DEPLOYMENT');
  // The check AppConfig ran for a start: the first one on the same environment
  // from the start's time on (the service clock moves during the call), of
  // the deployment it started, not taken by an earlier start.
  const matched = new Set<ExtensionCheckReport>();
  const forStart = (start: StartReport) => startChecks.find((check) => !matched.has(check)
    && check.applicationId === start.applicationId && check.environmentId === start.environmentId
    && Date.parse(check.at) >= Date.parse(start.at)
    && (start.deploymentNumber === undefined || check.deploymentNumber === start.deploymentNumber));
  for (const start of starts) {
    const check = forStart(start);
    if (check) matched.add(check);
    lines.push(`${start.at} start on AppConfig ${start.applicationId}/${start.environmentId}: ${describeStart(start, check)}`);
  }
  // Start checks of starts that are not the state file's (a test driving the simulation's AppConfig itself).
  for (const check of startChecks.filter((c) => !matched.has(c))) {
    if (check.decision !== 'REFUSED' && check.outcome === undefined) continue;
    lines.push(`${check.at} start check of deployment ${check.deploymentNumber} on AppConfig ${check.applicationId}/${check.environmentId}`
      + ` (${check.target ?? '?'}): ${checkVerdict(check)}${check.description ? `: ${check.description}` : ''}`);
  }
  const continued = new Map<string, number>();
  for (const check of checks.filter((c) => c.actionPoint === 'AT_DEPLOYMENT_TICK')) {
    if (check.decision === 'CONTINUE' && check.outcome === undefined) {
      const why = check.description ?? 'no description';
      continued.set(why, (continued.get(why) ?? 0) + 1);
      continue;
    }
    lines.push(`${check.at} tick of deployment ${check.deploymentNumber} on AppConfig ${check.applicationId}/${check.environmentId}`
      + ` (${check.target ?? '?'}): ${checkVerdict(check)}${check.description ? `: ${check.description}` : ''}`);
  }
  for (const [why, count] of continued) {
    lines.push(`${count} tick(s) let the deployment continue: ${why}`);
  }
  return lines;
}

/** What a start was: refused by the check, let through by a check that would have refused it (dry run), allowed, or not checked. */
function describeStart(start: StartReport, check: ExtensionCheckReport | undefined): string {
  const by = check ? `the alarm-state check${check.target ? ` of ${check.target}` : ''}` : 'an extension';
  if (start.refused !== undefined) {
    return `REFUSED by ${by}${check?.outcome ? ` (${check.outcome})` : ''}: ${check?.description ?? start.refused}`;
  }
  const started = `deployment ${start.deploymentNumber} started`;
  if (!check) {
    return `${started}; no alarm-state check runs at its start`;
  }
  if (check.outcome === RollbackOutcome.DRY_RUN) {
    return `${started}; DRY_RUN: ${by} would have refused it: ${check.description ?? ''}`;
  }
  return `${started}; ${by} allowed it${check.outcome ? ` (${check.outcome})` : ''}${check.description ? `: ${check.description}` : ''}`;
}

/**
 * The decision AppConfig acted on, with the outcome the check recorded when
 * that says more: a dry run answers CONTINUE and records DRY_RUN.
 */
function checkVerdict(check: ExtensionCheckReport): string {
  if (check.outcome === RollbackOutcome.DRY_RUN) {
    return `DRY_RUN (answered ${check.decision}, the deployment went on)`;
  }
  return check.outcome !== undefined && !['ROLLED_BACK', 'DEPLOYMENT_BLOCKED'].includes(check.outcome)
    ? `${check.decision} (${check.outcome})`
    : check.decision;
}

function formatHop(hop: Hop): string[] {
  const lines = [`  > ${hop.rule}: ${hop.fromBus} -> ${hop.toBus}: ${hop.status === 'DELIVERED' ? 'put' : `refused, ${hop.status === 'DEAD_LETTERED' ? `dead-lettered to ${hop.deadLetterQueue}` : 'dropped (no dead-letter queue)'}`}`];
  lines.push(`      ${hop.errorCode ? `${hop.errorCode}: ` : ''}${hop.reason}`);
  if (hop.unchecked) lines.push(`      not checked: ${hop.unchecked}`);
  return lines;
}

function formatTags(tags: Readonly<Record<string, string>>): string {
  return Object.entries(tags).map(([key, value]) => `${key}=${value}`).join(', ');
}

function formatDelivery(delivery: Delivery): string[] {
  const lines = [`  + ${delivery.rule} -> ${describeTarget(delivery.target)}`];
  const calls = delivery.calls.map((c) => `${c.service} ${c.operation} ${c.error ?? c.status ?? ''}`.trim());
  lines.push(`      calls: ${calls.length ? calls.join(', ') : 'none'}`);
  const record = delivery.result ?? (delivery.ledger as Partial<Delivery['result']> | undefined);
  // A stack target's deployment is the stack's update, named by its claim key (stack ID and start).
  const noun = delivery.target.kind === TargetKind.CLOUDFORMATION_STACK ? 'stack update' : 'deployment';
  const deployment = record?.deploymentNumber !== undefined ? `deployment ${record.deploymentNumber}`
    : record?.deploymentId !== undefined ? `${noun} ${record.deploymentId}` : noun;
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
  switch (target.kind) {
    case TargetKind.APPCONFIG: return `AppConfig ${target.applicationId}/${target.environmentId} (${target.name})`;
    case TargetKind.PROTON_ENVIRONMENT: return `Proton ${target.environmentName} (${target.name})`;
    case TargetKind.CLOUDFORMATION_STACK: return `CloudFormation stack ${target.stackName} (${target.name})`;
  }
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
  // Reports written before stack targets were simulated have no cloudFormation.
  for (const stack of state.cloudFormation ?? []) {
    const reason = stack.statusReason ? ` (${stack.statusReason.trim()})` : '';
    lines.push(`  CloudFormation stack ${stack.stackName} (${stack.targets.join(', ')}): ${stack.error ?? `${stack.stackStatus}${reason}`}`);
  }
  return lines;
}

/**
 * The stack updates started and what each bake gate answered: onEvent's
 * start of the bake, and every poll that ended it (COMPLETE or FAILED) on a
 * line of its own; the polls that let the bake go on are counted per stack.
 */
export function formatStackUpdates(updates: readonly StackUpdateReport[], gates: readonly BakeGateReport[]): string[] {
  const lines: string[] = [];
  for (const update of updates) {
    lines.push(`${update.at} UpdateStack ${update.stack}: ${update.refused !== undefined ? `REFUSED: ${update.refused}` : `started (operation ${update.operationId})`}`);
  }
  const waits = new Map<string, number>();
  for (const gate of gates) {
    if (gate.answer === 'WAIT') {
      waits.set(gate.stack, (waits.get(gate.stack) ?? 0) + 1);
      continue;
    }
    lines.push(`${gate.at} bake gate of stack ${gate.stack}${gate.target ? ` (${gate.target})` : ''}: ${gate.call} ${gate.answer}${gate.reason ? `: ${gate.reason}` : ''}`);
  }
  for (const [stack, count] of waits) {
    lines.push(`${count} poll(s) of the bake gate of stack ${stack} let the bake go on: no alarm fired after the update started`);
  }
  return lines;
}
