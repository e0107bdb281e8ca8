import { randomUUID } from 'crypto';
import { AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { AssemblyAlarm, assemblyAlarms } from './assembly-alarms';
import { BakeGatePlayer, BakeGateReport } from './bake-gate-player';
import { decideForward } from './bus-routing';
import { defaultBusArn, EventBusModel, ForwardingRule, parseBusArn, TemplateRule } from './event-buses';
import { explainEventPattern } from './event-pattern';
import { findBakeGates } from './find-bake-gates';
import { AssemblyExtension, AssemblyExtensionAssociation } from './find-extensions';
import { RollbackFunction, RollbackRule } from './find-rollback-rules';
import { buildTargetInput } from './input-transformer';
import { NotificationSink, startNotificationSink } from './notification-sink';
import { ResolvedAssembly, resolveAssembly } from './resolve-assembly';
import { SimulationInputError } from './simulation-input-error';
import {
  Delivery, EventReport, ExtensionCheckReport, FinalState, ForwardingRuleSummary, Hop, RuleSummary, ServiceCall, SimulationReport,
  StackUpdateReport, StartReport,
} from './simulation-report';
import { cloudFormationSeed, stackNameOf } from './stack-state';
import { appConfigSeed, appConfigStarts, protonSeed, SimulationState, StackAppConfigResources, StateOrganization } from './state-file';
import { BakeGateLimits, CLOUDFORMATION_SOURCE, CLOUDWATCH_SOURCE, ExtensionParameter, HandlerEnv, Ledger, parseAlarmArn, PROTON_SOURCE, RollbackRecord, RollbackTrigger, Rules, TargetKind } from '../../src/contract';
import { ExtensionInvocation, ExtensionPayload, LocalExtensionAction, LocalExtensionAssociation } from '../appconfig-extensions';
import { LocalAppConfig, startLocalAppConfig } from '../appconfig-server';
import { StartDeploymentInput } from '../appconfig-state';
import { AsyncInvoker } from '../async-invoker';
import { LocalCloudFormation, startLocalCloudFormation } from '../cloudformation-server';
import { StackStatusChangeEvent } from '../cloudformation-state';
import { LocalCloudWatch, startLocalCloudWatch } from '../cloudwatch-server';
import { ALARM_STATES, AlarmStateValue } from '../cloudwatch-state';
import { createTableFromResource, LocalDynamo, startLocalDynamo } from '../dynamodb';
import { RecordedRequest } from '../fault-injection';
import { HandlerInstance, localEndpoints } from '../handler-instance';
import { LocalProton, startLocalProton } from '../proton-server';
import { ProtonStatusChangeEvent } from '../proton-state';
import { SharedClock } from '../shared-clock';

export interface SimulationOptions {
  /** The cloud assembly folder (`cdk.out`). */
  readonly assembly: string;
  /** @default - nothing exists besides what the stacks create */
  readonly state?: SimulationState;
  /**
   * Service milliseconds per real millisecond, so deployments progress
   * faster than real time (a demo runs a 10-minute deployment in seconds).
   * @default 1
   */
  readonly timeScale?: number;
  /**
   * How often the local AppConfig runs AT_DEPLOYMENT_TICK actions. AWS does
   * not document AppConfig's tick interval.
   * @default 60_000
   */
  readonly tickIntervalMs?: number;
}

interface Runtime {
  readonly fn: RollbackFunction;
  readonly instance: HandlerInstance;
  readonly invoker: AsyncInvoker;
}

/**
 * A deployed app, locally: the assembly's rollback rules and handlers, local
 * AppConfig, Proton and DynamoDB seeded from the state, and the bundled
 * handler of the assembly running in a worker. Deliver events to it one by one.
 */
export class Simulation {
  public static async start(options: SimulationOptions): Promise<Simulation> {
    const state = options.state ?? {};
    const resolved = resolveAssembly(options.assembly, state);
    const { assembly, rules, appConfigResources } = resolved;

    const timeScale = options.timeScale ?? 1;
    const durationMinutes = state.proton?.deploymentDurationMinutes;
    const notifies = rules.some((rule) => rule.function.environment[HandlerEnv.NOTIFICATION_TOPIC_ARN]);
    // CloudWatch keeps the alarms of each account and Region apart, and
    // DescribeAlarms reads only those of the caller's ("DescribeAlarms",
    // CloudWatch API Reference): one local CloudWatch per environment.
    const alarms = assemblyAlarms(resolved);
    const environments = cloudWatchEnvironments(resolved, alarms, state);
    // The handlers' clock, and the stacks': the real one plus what `advance()`
    // skipped. Not started, so it moves only when `advance()` moves it.
    const clock = new SharedClock();
    const [appConfig, proton, dynamo, sink, cloudWatches, cloudFormation] = await Promise.all([
      startLocalAppConfig({ timeScale, tickIntervalMs: options.tickIntervalMs }),
      startLocalProton({ timeScale, ...(durationMinutes !== undefined ? { deploymentDurationMs: durationMinutes * 60_000 } : {}) }),
      startLocalDynamo(),
      notifies ? startNotificationSink() : Promise.resolve(undefined),
      Promise.all(environments.map(() => startLocalCloudWatch({ timeScale }))),
      // On the handlers' clock, whatever the timeScale: the handler takes an
      // alarm's time no later than its own clock, and the bake gate starts
      // and ends a bake by it, so a stack time ahead of it would be clamped
      // to the handler's clock and the record would tell another timeline.
      startLocalCloudFormation({ clock: () => clock.now() }),
    ]);
    const simulation = new Simulation(assembly.directory, rules, appConfigResources, appConfig, proton, dynamo, sink,
      new Map(environments.map((environment, i) => [environment, cloudWatches[i]])),
      resolved.extensions, resolved.extensionAssociations, resolved.buses, state.organization, cloudFormation, clock);
    try {
      // The stacks stack targets guard (with their bake gates) and the state file's.
      const gates = findBakeGates(resolved.resolvers);
      const targets = rules.map((rule) => ({ target: rule.target, account: rule.stack.environment.account, region: rule.stack.environment.region }));
      const stackSeeds = cloudFormationSeed(state.cloudFormation, targets, assembly.stacks, gates, cloudFormation.state.now());
      try {
        cloudFormation.state.seed({ stacks: stackSeeds });
      } catch (error) {
        throw new SimulationInputError(`state file: cloudFormation.stacks: ${(error as Error).message}`);
      }
      simulation.gatePlayer = new BakeGatePlayer(gates, cloudFormation, (fn) => HandlerInstance.start({
        entry: fn.entry, exportName: fn.exportName, env: simulation.functionEnv(fn), clock,
      }));
      const seed = appConfigSeed(state, appConfigResources, appConfig.state.now());
      appConfig.state.seed(seed);
      proton.state.seed(protonSeed(state, proton.state.now()));
      seedAlarms(simulation, alarms, state);
      await simulation.startHandlers();
      simulation.startExtensions();
      // Status changes from here on are the simulation's own; the seeded
      // ones happened before it.
      proton.state.onStatusChange((event) => simulation.protonEvents.push(event));
      cloudFormation.state.onStatusChange((event) => {
        simulation.stackStatusChanges.push(event);
        simulation.stackEvents.push(event);
      });
      await simulation.runDue();
      for (const start of appConfigStarts(state, seed, appConfigResources)) {
        await simulation.startDeployment(start.applicationId, start.environmentId, start.input);
      }
      for (const update of state.cloudFormation?.updates ?? []) {
        const template = stackSeeds.find((stack) => stack.name === update.stack)?.templateBody ?? '{"Resources":{}}';
        // A changed template, as a deploy with a change sends: the gate bakes only then.
        await simulation.updateStack(update.stack, { templateBody: `${template}\n`, disableRollback: update.disableRollback });
      }
    } catch (error) {
      await simulation.close();
      throw error;
    }
    return simulation;
  }

  private readonly runtimes = new Map<string, Runtime>();
  private readonly events: EventReport[] = [];
  private readonly checkInstances = new Map<string, HandlerInstance>();
  private readonly starts: StartReport[] = [];
  /** Proton status changes not yet delivered through the rules. */
  private readonly protonEvents: ProtonStatusChangeEvent[] = [];
  /** Every stack status change in the simulation, oldest first. */
  public readonly stackStatusChanges: StackStatusChangeEvent[] = [];
  /** Stack status changes not yet delivered through the rules. */
  private readonly stackEvents: StackStatusChangeEvent[] = [];
  private readonly stackUpdates: StackUpdateReport[] = [];
  private gatePlayer?: BakeGatePlayer;

  private constructor(
    public readonly assembly: string,
    public readonly rules: readonly RollbackRule[],
    /** The AppConfig applications, environments and strategies the stacks create, with their simulated ids. */
    public readonly appConfigResources: StackAppConfigResources,
    public readonly appConfig: LocalAppConfig,
    public readonly proton: LocalProton,
    public readonly dynamo: LocalDynamo,
    private readonly sink: NotificationSink | undefined,
    /** One local CloudWatch per account and Region (`<account>/<region>`), the first rule's stack's first. */
    public readonly cloudWatches: ReadonlyMap<string, LocalCloudWatch>,
    /** The alarm-state check's extensions and associations the stacks create. */
    public readonly extensions: readonly AssemblyExtension[],
    public readonly extensionAssociations: readonly AssemblyExtensionAssociation[],
    /** The event buses, their policies and the forwarding rules of the stacks. */
    public readonly buses: EventBusModel,
    private readonly organization: StateOrganization | undefined,
    /** The local CloudFormation, with the stacks stack targets guard and those of the state file. */
    public readonly cloudFormation: LocalCloudFormation,
    /** The clock of the handlers, the alarm-state checks, the bake gates and the local CloudFormation. */
    private readonly clock: SharedClock,
  ) {}

  /** The local CloudWatch of the first rule's stack's account and Region. */
  public get cloudWatch(): LocalCloudWatch {
    return this.cloudWatches.values().next().value!;
  }

  /** The local CloudWatch of an account and Region, if the assembly has alarms or functions there. */
  public cloudWatchIn(account: string, region: string): LocalCloudWatch | undefined {
    return this.cloudWatches.get(`${account}/${region}`);
  }

  /**
   * StartDeployment on the local AppConfig, as a person or a pipeline would
   * call it: associated extensions run at PRE_START_DEPLOYMENT and may
   * refuse it. The start is in the report either way.
   */
  public async startDeployment(applicationId: string, environmentId: string, input: StartDeploymentInput): Promise<StartReport> {
    await this.runDue();
    const at = new Date(this.appConfig.state.now()).toISOString();
    let report: StartReport;
    try {
      const view = await this.appConfig.state.startDeployment(applicationId, environmentId, input);
      report = { at, applicationId, environmentId, deploymentNumber: view.record.number };
    } catch (error) {
      report = { at, applicationId, environmentId, refused: (error as Error).message };
    }
    this.starts.push(report);
    await this.deliverStatusEvents();
    return report;
  }

  /**
   * UpdateStack on the local CloudFormation, as `cdk deploy` would call it:
   * the stack's resources update, then its bake gate (if it has one) holds
   * the update and the simulation calls the gate's functions. The update is
   * in the report either way.
   */
  public async updateStack(
    stackName: string, input: { readonly templateBody: string; readonly disableRollback?: boolean },
  ): Promise<StackUpdateReport> {
    await this.runDue();
    const at = new Date(this.cloudFormation.state.now()).toISOString();
    let report: StackUpdateReport;
    try {
      const started = this.cloudFormation.state.updateStack(stackName, input);
      report = { at, stack: stackName, operationId: started.operationId };
    } catch (error) {
      report = { at, stack: stackName, refused: (error as Error).message };
    }
    this.stackUpdates.push(report);
    await this.runDue();
    return report;
  }

  /**
   * Moves every local service's clock forward, and the functions' with the
   * local CloudFormation's, then runs what became due:
   * AppConfig's extension ticks, the bake gates' polls, then Proton's and the
   * stacks' status changes through the rules.
   */
  public async advance(ms: number): Promise<void> {
    // With bake gates, in steps of the Provider framework's query interval,
    // so each gate is polled when the framework would poll it.
    const step = this.gatePlayer?.hasGates ? BakeGateLimits.QUERY_INTERVAL_SECONDS * 1000 : ms;
    for (let left = ms; left > 0; left -= step) {
      const by = Math.min(step, left);
      this.appConfig.state.advance(by);
      this.proton.state.advance(by);
      // The local CloudFormation follows this clock, and so do the functions.
      this.clock.advance(by);
      for (const cloudWatch of this.cloudWatches.values()) cloudWatch.state.advance(by);
      await this.runDue();
    }
  }

  /** Runs the extension ticks and the bake gates' polls due by now, then delivers the Proton and stack status changes waiting. */
  public async runDue(): Promise<void> {
    await this.appConfig.state.runDueTicks();
    await this.gatePlayer?.runDue();
    await this.deliverStatusEvents();
  }

  /** The bake gates' calls so far, oldest first. */
  public get gates(): BakeGateReport[] {
    return [...this.gatePlayer?.reports ?? []];
  }

  /** The extension invocations so far, oldest first, each with the target its association names. */
  public get checks(): ExtensionCheckReport[] {
    return this.appConfig.state.invocations.map((invocation) => checkReport(invocation, this.appConfig.state.extensions.listAssociations()));
  }

  /** The rollback rules, as the report lists them. */
  public get ruleSummaries(): RuleSummary[] {
    return this.rules.map((rule) => ({
      rule: rule.path,
      stack: rule.stack.environment.stackName,
      target: rule.target.name,
      kind: rule.target.kind,
      alarmArns: rule.target.alarmArns,
      ...(rule.target.alarmTags ? { alarmTags: rule.target.alarmTags } : {}),
      eventBus: rule.busArn,
      account: rule.stack.environment.account,
      region: rule.stack.environment.region,
    }));
  }

  /** The rules that forward events to another bus, as the report lists them. */
  public get forwardingRuleSummaries(): ForwardingRuleSummary[] {
    return this.buses.forwardingRules.map((rule) => {
      const pattern = rule.eventPattern as { resources?: unknown[]; detail?: { alarmTags?: Record<string, unknown[]> } };
      return {
        rule: rule.path,
        stack: rule.stack.environment.stackName,
        eventBus: rule.busArn,
        account: rule.stack.environment.account,
        region: rule.stack.environment.region,
        targetBus: rule.targetBusArn,
        ...(rule.roleArn ? { roleArn: rule.roleArn } : {}),
        ...(rule.deadLetterArn ? { deadLetterQueue: rule.deadLetterArn } : {}),
        alarmArns: (pattern.resources ?? []).filter((arn): arn is string => typeof arn === 'string'),
        ...(pattern.detail?.alarmTags ? { alarmTags: pattern.detail.alarmTags } : {}),
      };
    });
  }

  /**
   * Delivers one event through the buses it reaches (see `deliverNow`) to
   * every rule there whose pattern matches it, one rule after another, each
   * delivery to a handler an asynchronous invocation with Lambda's retries.
   */
  public async deliver(event: unknown, source = `event ${this.events.length + 1}`): Promise<EventReport> {
    await this.runDue();
    this.followAlarm(event);
    return this.deliverNow(event, source);
  }

  /**
   * An alarm's state-change event says what state the alarm is in now, so
   * the local CloudWatch takes it too: the alarm-state check then reads what
   * the event path was told. Alarms it does not hold are left alone.
   */
  private followAlarm(event: unknown): void {
    if (!isObject(event) || event.source !== CLOUDWATCH_SOURCE || !Array.isArray(event.resources)) return;
    const parts = parseAlarmArn(event.resources[0]);
    const state = isObject(event.detail) && isObject(event.detail.state) ? event.detail.state : {};
    if (!parts || !ALARM_STATES.includes(String(state.value) as AlarmStateValue)) return;
    try {
      this.cloudWatchIn(parts.account, parts.region)?.state.setAlarmState(parts.alarmName, state.value as AlarmStateValue,
        typeof state.reason === 'string' ? state.reason : undefined);
    } catch {
      // Not an alarm of the local CloudWatch: the event still goes through the rules.
    }
  }

  /**
   * Routes one event as EventBridge would. It enters the default bus of its
   * own `account` and `region` (an AWS service's event goes to the default
   * bus of the account and Region it happened in, "Event buses in Amazon
   * EventBridge", EventBridge User Guide); every enabled rule on that bus
   * whose pattern matches acts: a rollback rule invokes its handler, a
   * forwarding rule puts the event, unchanged (same `account` and `region`),
   * on its target bus if the role and the bus policy allow it, and the rules
   * there act in turn. Proton's events enter the default buses of the
   * rollback rules' stacks, since the local Proton stands in for every
   * account's.
   */
  private async deliverNow(event: unknown, source: string, entryBuses?: readonly string[]): Promise<EventReport> {
    const deliveries: Delivery[] = [];
    const unmatched: { rule: string; target: string; reason: string; bus?: string }[] = [];
    const hops: Hop[] = [];
    const e = isObject(event) ? event : {};
    const entry = entryBuses ?? [entryBusOf(e)];
    const queue = entry.map((bus) => ({ bus, forwarded: false, origin: parseBusArn(bus)! }));
    const reached: string[] = [];
    while (queue.length > 0) {
      const { bus, forwarded, origin } = queue.shift()!;
      reached.push(bus);
      for (const rule of this.rules) {
        if (rule.busArn !== bus) continue;
        const reason = whyNotMatched(rule, event);
        if (reason !== undefined) {
          unmatched.push({ rule: rule.path, target: rule.target.name, reason, bus });
          continue;
        }
        deliveries.push({ ...await this.invoke(rule, event), bus });
      }
      for (const rule of this.buses.forwardingRules) {
        if (rule.busArn !== bus) continue;
        const reason = whyNotMatched(rule, event);
        if (reason !== undefined) {
          unmatched.push({ rule: rule.path, target: rule.targetBusArn, reason, bus });
          continue;
        }
        const hop = this.forward(rule, e, forwarded, origin);
        hops.push(hop);
        if (hop.status === 'DELIVERED') queue.push({ bus: rule.targetBusArn, forwarded: true, origin });
      }
    }
    for (const rule of this.rules) {
      if (!reached.includes(rule.busArn)) {
        unmatched.push({ rule: rule.path, target: rule.target.name, reason: `the rule is on event bus ${rule.busArn}, which the event did not reach`, bus: rule.busArn });
      }
    }
    const onEntry = (bus: string) => this.rules.some((rule) => rule.busArn === bus) || this.buses.forwardingRules.some((rule) => rule.busArn === bus);
    const note = entry.some(onEntry) ? undefined
      : `no rule of the assembly is on event bus ${entry.join(', ')}, where the event arrives (its account and region): nothing in the assembly sees it`;
    const detail = isObject(e.detail) ? e.detail : {};
    // A Proton status change names its environment and statuses where an alarm event has its alarm and states.
    const proton = e.source === PROTON_SOURCE;
    // A stack status change names its stack and its new status; it carries no previous one.
    const stack = e.source === CLOUDFORMATION_SOURCE && isObject(detail['status-details']) ? detail['status-details'] : undefined;
    const report: EventReport = {
      index: this.events.length + 1,
      source,
      eventId: typeof e.id === 'string' ? e.id : undefined,
      alarmArn: !proton && !stack && Array.isArray(e.resources) ? String(e.resources[0]) : undefined,
      alarmName: proton ? `Proton environment ${String(detail.name)}`
        : stack ? `CloudFormation stack ${stackNameOf(String(detail['stack-id']))}`
          : typeof detail.alarmName === 'string' ? detail.alarmName : undefined,
      state: proton ? String(detail.status) : stack ? String(stack.status) : isObject(detail.state) ? String(detail.state.value) : undefined,
      previousState: proton ? String(detail.previousStatus) : isObject(detail.previousState) ? String(detail.previousState.value) : undefined,
      entryBus: entry[0],
      hops,
      buses: reached,
      deliveries,
      unmatched,
      ...(note ? { note } : {}),
    };
    this.events.push(report);
    return report;
  }

  /** One forwarding rule's put, as a hop of the report. */
  private forward(rule: ForwardingRule, event: Record<string, unknown>, alreadyForwarded: boolean, origin: { account: string; region: string }): Hop {
    const decision = decideForward(rule, event, { model: this.buses, organization: this.organization, alreadyForwarded, origin });
    const base = {
      rule: rule.path, fromBus: rule.busArn, toBus: rule.targetBusArn, ...(decision.unchecked ? { unchecked: decision.unchecked } : {}),
    };
    if (decision.allowed) return { ...base, status: 'DELIVERED', reason: decision.reason };
    return {
      ...base,
      status: rule.deadLetterArn ? 'DEAD_LETTERED' : 'DROPPED',
      reason: decision.reason,
      ...(decision.errorCode ? { errorCode: decision.errorCode } : {}),
      ...(rule.deadLetterArn ? { deadLetterQueue: rule.deadLetterArn } : {}),
    };
  }

  /** The deployments of every AppConfig target's environment and the status of every Proton target's environment, now. */
  public finalState(): FinalState {
    const appConfig = new Map<string, { targets: string[]; applicationId: string; environmentId: string }>();
    const proton = new Map<string, { targets: string[]; environmentName: string }>();
    const stacks = new Map<string, { targets: string[]; stackName: string }>();
    for (const { target } of this.rules) {
      if (target.kind === TargetKind.APPCONFIG) {
        const key = `${target.applicationId}/${target.environmentId}`;
        const entry = appConfig.get(key) ?? { targets: [], applicationId: target.applicationId, environmentId: target.environmentId };
        if (!entry.targets.includes(target.name)) entry.targets.push(target.name);
        appConfig.set(key, entry);
      } else if (target.kind === TargetKind.CLOUDFORMATION_STACK) {
        const entry = stacks.get(target.stackName) ?? { targets: [], stackName: target.stackName };
        if (!entry.targets.includes(target.name)) entry.targets.push(target.name);
        stacks.set(target.stackName, entry);
      } else if (target.kind === TargetKind.PROTON_ENVIRONMENT) {
        const entry = proton.get(target.environmentName) ?? { targets: [], environmentName: target.environmentName };
        if (!entry.targets.includes(target.name)) entry.targets.push(target.name);
        proton.set(target.environmentName, entry);
      }
    }
    return {
      appConfig: [...appConfig.values()].map((entry) => {
        try {
          const deployments = this.appConfig.state.listDeployments(entry.applicationId, entry.environmentId)
            .map((view) => ({ number: view.record.number, state: view.state, percentageComplete: view.percentageComplete }))
            .reverse();
          return { ...entry, deployments };
        } catch (error) {
          return { ...entry, deployments: [], error: (error as Error).message };
        }
      }),
      proton: [...proton.values()].map((entry) => {
        try {
          return { ...entry, deploymentStatus: this.proton.state.getEnvironment(entry.environmentName).deploymentStatus };
        } catch (error) {
          return { ...entry, error: (error as Error).message };
        }
      }),
      cloudFormation: [...stacks.values()].map((entry) => {
        try {
          const stack = this.cloudFormation.state.describeStack(entry.stackName);
          return { ...entry, stackStatus: stack.stackStatus, ...(stack.stackStatusReason ? { statusReason: stack.stackStatusReason } : {}) };
        } catch (error) {
          return { ...entry, error: (error as Error).message };
        }
      }),
    };
  }

  /** Every ledger record (not the claims), oldest first. */
  public async ledger(): Promise<Record<string, unknown>[]> {
    const tables = new Set([...this.runtimes.values()].map((runtime) => runtime.fn.ledgerTable.name));
    const records: Record<string, unknown>[] = [];
    for (const table of tables) {
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await this.dynamo.client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
        for (const item of page.Items ?? []) {
          const record = unmarshall(item, { wrapNumbers: false });
          if (String(record[Ledger.PARTITION_KEY]).startsWith(Ledger.TARGET_PREFIX)) records.push(record);
        }
        start = page.LastEvaluatedKey;
      } while (start);
    }
    return records.sort((a, b) => String(a.recordedAt).localeCompare(String(b.recordedAt)));
  }

  /** The report of everything delivered so far. */
  public async report(): Promise<SimulationReport> {
    await this.runDue();
    const ledger = await this.ledger();
    return {
      assembly: this.assembly,
      rules: this.ruleSummaries,
      forwardingRules: this.forwardingRuleSummaries,
      starts: [...this.starts],
      stackUpdates: [...this.stackUpdates],
      gates: [...this.gates],
      checks: this.checks.map((check) => ({ ...check, ...recordedOutcome(check, ledger) })),
      events: [...this.events],
      finalState: this.finalState(),
      ledger,
    };
  }

  /** Stops the handlers and the local services. */
  public async close(): Promise<void> {
    await Promise.allSettled([...this.runtimes.values()].map((runtime) => runtime.invoker.close()));
    await Promise.allSettled([...this.checkInstances.values()].map((instance) => instance.kill()));
    await this.gatePlayer?.close();
    const cloudWatches = [...this.cloudWatches.values()].map((cloudWatch) => cloudWatch.close());
    await Promise.allSettled([
      this.appConfig.close(), this.proton.close(), this.dynamo.close(), this.sink?.close(), this.cloudFormation.close(), ...cloudWatches,
    ]);
  }

  private async startHandlers(): Promise<void> {
    const tables = new Set<string>();
    for (const { function: fn } of this.rules) {
      if (this.runtimes.has(fn.arn)) continue;
      if (!tables.has(fn.ledgerTable.name)) {
        tables.add(fn.ledgerTable.name);
        await createTableFromResource(this.dynamo.client, fn.ledgerTable.resource, fn.ledgerTable.name);
      }
      const start = () => HandlerInstance.start({
        entry: `${fn.assetDir}/index.mjs`,
        env: this.functionEnv(fn),
        clock: this.clock,
      });
      const instance = start();
      const invoker = new AsyncInvoker({ instances: [instance], startInstance: start, retryAttempts: fn.retryAttempts, functionArn: fn.arn });
      this.runtimes.set(fn.arn, { fn, instance, invoker });
    }
  }

  /** A function's environment from its template, with every AWS service it calls pointed at the local ones. */
  private functionEnv(fn: {
    readonly stack: { readonly environment: { readonly account: string; readonly region: string } };
    readonly environment: Readonly<Record<string, string>>;
  }): Record<string, string> {
    const cloudWatch = this.cloudWatchIn(fn.stack.environment.account, fn.stack.environment.region) ?? this.cloudWatch;
    return {
      AWS_REGION: fn.stack.environment.region,
      ...fn.environment,
      ...localEndpoints({
        appConfig: this.appConfig.endpoint,
        proton: this.proton.endpoint,
        dynamo: this.dynamo.endpoint,
        sns: this.sink?.endpoint,
        cloudWatch: cloudWatch.endpoint,
        cloudFormation: this.cloudFormation.endpoint,
      }),
    };
  }

  /**
   * Registers the stacks' extensions and associations in the local AppConfig
   * and answers their actions with the bundled alarm-state check, one
   * instance per function (AppConfig waits for each invocation, so one at a
   * time is what a tick needs). A failed invocation is an error to AppConfig.
   */
  private startExtensions(): void {
    const ids = new Map<AssemblyExtension, string>();
    for (const extension of this.extensions) {
      const created = this.appConfig.state.extensions.createExtension({
        name: extension.name, actions: extension.actions, parameters: extension.parameters,
      });
      ids.set(extension, created.id);
      for (const fn of extension.functions) {
        if (this.checkInstances.has(fn.arn)) continue;
        this.checkInstances.set(fn.arn, HandlerInstance.start({
          entry: fn.entry,
          env: this.functionEnv(fn),
          clock: this.clock,
        }));
      }
    }
    for (const association of this.extensionAssociations) {
      const extension = this.extensions.find((e) => e.stack === association.stack && e.logicalId === association.extensionLogicalId)!;
      this.appConfig.state.extensions.associate({
        extensionIdentifier: ids.get(extension)!, resourceArn: association.resourceArn, parameters: association.parameters,
      });
    }
    this.appConfig.state.setExtensionInvoker(async (action: LocalExtensionAction, payload: ExtensionPayload) => {
      const instance = this.checkInstances.get(action.uri);
      if (!instance) throw new Error(`no function of the assembly is ${action.uri}`);
      const invocation = await instance.invoke(payload, { awsRequestId: randomUUID(), invokedFunctionArn: action.uri });
      if (!invocation.ok) throw new Error(`${invocation.error?.name}: ${invocation.error?.message}`);
      return invocation.result;
    });
  }

  /**
   * Delivers waiting Proton and stack status changes through the rules. Only changes
   * some rule on an entry bus matches (a rollback rule, or a forwarding rule
   * that sends them on) are delivered and reported: the others would reach
   * no function on EventBridge either, and the report stays about the alarms.
   */
  private async deliverStatusEvents(): Promise<void> {
    while (this.protonEvents.length > 0 || this.stackEvents.length > 0) {
      const proton = this.protonEvents.shift();
      if (proton) {
        const entry = [...new Set(this.rules.map((rule) => defaultBusArn(rule.stack.environment.account, rule.stack.environment.region)))];
        await this.deliverIfMatched(proton, `Proton ${proton.detail.name} ${proton.detail.previousStatus} -> ${proton.detail.status}`, entry);
        continue;
      }
      // CloudFormation sends a stack's status changes to the default bus of
      // the stack's own account and Region ("Stack Status Change event
      // detail", CloudFormation User Guide): a start rule there (the start
      // gate, blockDeploymentsWhileAlarming) sees an update begin.
      const stack = this.stackEvents.shift()!;
      const name = stackNameOf(stack.detail['stack-id']);
      await this.deliverIfMatched(stack, `CloudFormation stack ${name} ${stack.detail['status-details'].status}`,
        [defaultBusArn(stack.account, stack.region)]);
    }
  }

  /** Delivers a status change if a rule on its entry buses (a rollback rule, or a forwarding rule that sends it on) matches it. */
  private async deliverIfMatched(event: ProtonStatusChangeEvent | StackStatusChangeEvent, source: string, entry: readonly string[]): Promise<void> {
    const matches = (rule: TemplateRule) => entry.includes(rule.busArn) && whyNotMatched(rule, event) === undefined;
    if (this.rules.some(matches) || this.buses.forwardingRules.some(matches)) await this.deliverNow(event, source, entry);
  }

  private async invoke(rule: RollbackRule, event: unknown): Promise<Delivery> {
    const runtime = this.runtimes.get(rule.function.arn)!;
    const input = buildTargetInput(rule.inputSettings, event, { ruleArn: rule.arn, ruleName: rule.name });
    const seen = {
      appConfig: this.appConfig.requests.length,
      proton: this.proton.requests.length,
      cloudFormation: this.cloudFormation.requests.length,
      sns: this.sink?.notifications.length ?? 0,
    };
    const result = await runtime.invoker.invoke(input);
    const last = result.attempts[result.attempts.length - 1];
    const record = last?.ok ? last.result as RollbackRecord : undefined;
    const calls = [
      ...this.appConfig.requests.slice(seen.appConfig).map((request) => call('AppConfig', request)),
      ...this.proton.requests.slice(seen.proton).map((request) => call('Proton', request)),
      ...this.cloudFormation.requests.slice(seen.cloudFormation).map((request) => call('CloudFormation', request)),
    ];
    const ledger = (await this.ledger()).filter((item) => item.requestId === result.awsRequestId && item.target === rule.target.name).at(-1);
    const outcome = record?.outcome ?? (ledger?.outcome as string | undefined);
    return {
      rule: rule.path,
      target: rule.target,
      input,
      status: result.status,
      attempts: result.attempts.length,
      requestId: result.awsRequestId,
      outcome,
      reason: record?.reason ?? (ledger?.reason as string | undefined),
      result: record,
      error: last?.error,
      calls,
      ledger,
      notifications: this.sink?.notifications.slice(seen.sns) ?? [],
    };
  }
}

/**
 * The accounts and Regions that get a local CloudWatch, as `<account>/<region>`:
 * the rollback rules' stacks' (the first rule's first), every other stack's,
 * and those of the alarms the stacks create, the rules watch and the state
 * file names by ARN.
 */
function cloudWatchEnvironments(resolved: ResolvedAssembly, alarms: readonly AssemblyAlarm[], state: SimulationState): string[] {
  const keys = [
    ...resolved.rules.map((rule) => rule.stack.environment),
    ...resolved.assembly.stacks.map((stack) => stack.environment),
    ...alarms.map((alarm) => parseAlarmArn(alarm.arn)).filter((parts) => parts !== undefined),
    ...(state.cloudWatch?.alarms ?? []).map((alarm) => parseAlarmArn(alarm.alarm)).filter((parts) => parts !== undefined),
  ].map((environment) => `${environment.account}/${environment.region}`);
  return [...new Set(keys)];
}

/** The default bus of an event's own account and Region, where EventBridge puts an AWS service's event. */
function entryBusOf(event: Record<string, unknown>): string {
  if (!Rules.ACCOUNT_ID.test(event.account) || typeof event.region !== 'string' || event.region === '') {
    throw new SimulationInputError(`an event needs "account" (12 digits) and "region" to say which default event bus it arrives on, got account ${JSON.stringify(event.account)} and region ${JSON.stringify(event.region)}: write them as the alarm's ARN gives them (\`cdk-alarm-rollback event\` does)`);
  }
  return defaultBusArn(event.account, event.region);
}

/**
 * The alarms the stacks create and the rules watch, as the state file sets
 * them (OK when it does not), each in the local CloudWatch of its ARN's
 * account and Region; an alarm the state file names without an ARN is the
 * first rule's stack's.
 */
function seedAlarms(simulation: Simulation, known: readonly AssemblyAlarm[], state: SimulationState): void {
  const declared = state.cloudWatch?.alarms ?? [];
  const used = new Set<number>();
  const find = (arn: string, name: string) => declared.findIndex((alarm) => alarm.alarm === arn || alarm.alarm === name);
  const put = (arn: string | undefined, name: string, composite: boolean, index: number) => {
    const alarm = index >= 0 ? declared[index] : undefined;
    const where = arn ? parseAlarmArn(arn) : undefined;
    const cloudWatch = (where ? simulation.cloudWatchIn(where.account, where.region) : undefined) ?? simulation.cloudWatch;
    // An alarm the state file says is missing is never created: the check reports it MISSING.
    if (alarm?.missing) return;
    cloudWatch.state.put({
      name,
      type: composite || alarm?.actionsSuppressedBy ? 'CompositeAlarm' : 'MetricAlarm',
      state: alarm?.state ?? 'OK',
      actionsEnabled: alarm?.actionsEnabled ?? true,
      ...(where ? { accountId: where.account, region: where.region } : {}),
    });
    if (alarm?.actionsSuppressedBy) cloudWatch.state.suppress(name, { by: alarm.actionsSuppressedBy });
    if (alarm?.mutedBy) {
      // One day: longer than any simulated run, so the rule is active throughout.
      const account = where ? { accountId: where.account, region: where.region } : {};
      cloudWatch.state.putMuteRule({ name: alarm.mutedBy, alarmNames: [name], durationMs: 24 * 3_600_000, ...account });
    }
  };
  for (const alarm of known) {
    const index = find(alarm.arn, alarm.name);
    if (index >= 0) used.add(index);
    put(alarm.arn, alarm.name, alarm.composite, index);
  }
  declared.forEach((alarm, index) => {
    if (used.has(index)) return;
    const arn = alarm.alarm.startsWith('arn:') ? alarm.alarm : undefined;
    put(arn, arn ? arn.split(':alarm:')[1] : alarm.alarm, false, index);
  });
}

function checkReport(invocation: ExtensionInvocation, associations: readonly LocalExtensionAssociation[]): ExtensionCheckReport {
  const parameter = associations.find((a) => a.id === invocation.associationId)?.parameters[ExtensionParameter.TARGET];
  let target: string | undefined;
  try {
    target = parameter === undefined ? undefined : String(JSON.parse(parameter).name);
  } catch {
    target = undefined;
  }
  const answer = isObject(invocation.answer) ? invocation.answer : {};
  return {
    at: new Date(invocation.at).toISOString(),
    actionPoint: invocation.actionPoint,
    target,
    applicationId: invocation.applicationId,
    environmentId: invocation.environmentId,
    deploymentNumber: invocation.deploymentNumber,
    invocationId: invocation.invocationId,
    decision: invocation.decision,
    description: invocation.error ?? (typeof answer.Description === 'string' ? answer.Description : undefined),
  };
}

/**
 * The outcome the check recorded for one invocation: its ledger record has
 * the invocation's id as its event id, and the action point as its trigger.
 */
function recordedOutcome(check: ExtensionCheckReport, ledger: readonly Record<string, unknown>[]): { outcome?: string } {
  if (check.invocationId === undefined) return {};
  const trigger = check.actionPoint === 'AT_DEPLOYMENT_TICK' ? RollbackTrigger.DEPLOYMENT_TICK : RollbackTrigger.DEPLOYMENT_START;
  const record = ledger.find((item) => item.eventId === check.invocationId && item.trigger === trigger);
  return typeof record?.outcome === 'string' ? { outcome: record.outcome } : {};
}

/** Why a rule does not act on an event (disabled, or a field its pattern does not match); undefined when it does. */
function whyNotMatched(rule: TemplateRule, event: unknown): string | undefined {
  if (!rule.enabled) return 'the rule is disabled';
  const explanation = explainEventPattern(rule.eventPattern, event);
  return explanation.matched ? undefined : `${explanation.field} does not match the rule's pattern`;
}

function call(service: ServiceCall['service'], request: RecordedRequest): ServiceCall {
  return { service, operation: request.operation, status: request.status, ...(request.error ? { error: request.error } : {}) };
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
