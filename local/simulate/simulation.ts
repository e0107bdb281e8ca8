import { AttributeValue, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { explainEventPattern } from './event-pattern';
import { RollbackFunction, RollbackRule } from './find-rollback-rules';
import { buildTargetInput } from './input-transformer';
import { NotificationSink, startNotificationSink } from './notification-sink';
import { resolveAssembly } from './resolve-assembly';
import { Delivery, EventReport, FinalState, RuleSummary, ServiceCall, SimulationReport } from './simulation-report';
import { appConfigSeed, protonSeed, SimulationState, StackAppConfigResources } from './state-file';
import { HandlerEnv, Ledger, RollbackRecord, TargetKind } from '../../src/private/contract';
import { LocalAppConfig, startLocalAppConfig } from '../appconfig-server';
import { AsyncInvoker } from '../async-invoker';
import { createTableFromResource, LocalDynamo, startLocalDynamo } from '../dynamodb';
import { RecordedRequest } from '../fault-injection';
import { HandlerInstance, localEndpoints } from '../handler-instance';
import { LocalProton, startLocalProton } from '../proton-server';

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
    const { assembly, rules, appConfigResources } = resolveAssembly(options.assembly, state);

    const timeScale = options.timeScale ?? 1;
    const durationMinutes = state.proton?.deploymentDurationMinutes;
    const notifies = rules.some((rule) => rule.function.environment[HandlerEnv.NOTIFICATION_TOPIC_ARN]);
    const [appConfig, proton, dynamo, sink] = await Promise.all([
      startLocalAppConfig({ timeScale }),
      startLocalProton({ timeScale, ...(durationMinutes !== undefined ? { deploymentDurationMs: durationMinutes * 60_000 } : {}) }),
      startLocalDynamo(),
      notifies ? startNotificationSink() : Promise.resolve(undefined),
    ]);
    const simulation = new Simulation(assembly.directory, rules, appConfigResources, appConfig, proton, dynamo, sink);
    try {
      appConfig.state.seed(appConfigSeed(state, appConfigResources, appConfig.state.now()));
      proton.state.seed(protonSeed(state, proton.state.now()));
      await simulation.startHandlers();
    } catch (error) {
      await simulation.close();
      throw error;
    }
    return simulation;
  }

  private readonly runtimes = new Map<string, Runtime>();
  private readonly events: EventReport[] = [];

  private constructor(
    public readonly assembly: string,
    public readonly rules: readonly RollbackRule[],
    /** The AppConfig applications, environments and strategies the stacks create, with their simulated ids. */
    public readonly appConfigResources: StackAppConfigResources,
    public readonly appConfig: LocalAppConfig,
    public readonly proton: LocalProton,
    public readonly dynamo: LocalDynamo,
    private readonly sink: NotificationSink | undefined,
  ) {}

  /** The rules, as the report lists them. */
  public get ruleSummaries(): RuleSummary[] {
    return this.rules.map((rule) => ({
      rule: rule.path,
      stack: rule.stack.environment.stackName,
      target: rule.target.name,
      kind: rule.target.kind,
      alarmArns: rule.target.alarmArns,
    }));
  }

  /**
   * Delivers one event to every rule whose pattern matches it, one rule after
   * another, each delivery an asynchronous invocation of the rule's handler
   * with Lambda's retries.
   */
  public async deliver(event: unknown, source = `event ${this.events.length + 1}`): Promise<EventReport> {
    const deliveries: Delivery[] = [];
    const unmatched: { rule: string; target: string; reason: string }[] = [];
    for (const rule of this.rules) {
      const reason = !rule.enabled ? 'the rule is disabled'
        : rule.eventBusName !== 'default' ? `the rule is on event bus ${rule.eventBusName}, alarm events arrive on default`
          : mismatch(rule.eventPattern, event);
      if (reason !== undefined) {
        unmatched.push({ rule: rule.path, target: rule.target.name, reason });
        continue;
      }
      deliveries.push(await this.invoke(rule, event));
    }
    const e = isObject(event) ? event : {};
    const detail = isObject(e.detail) ? e.detail : {};
    const report: EventReport = {
      index: this.events.length + 1,
      source,
      eventId: typeof e.id === 'string' ? e.id : undefined,
      alarmArn: Array.isArray(e.resources) ? String(e.resources[0]) : undefined,
      alarmName: typeof detail.alarmName === 'string' ? detail.alarmName : undefined,
      state: isObject(detail.state) ? String(detail.state.value) : undefined,
      previousState: isObject(detail.previousState) ? String(detail.previousState.value) : undefined,
      deliveries,
      unmatched,
    };
    this.events.push(report);
    return report;
  }

  /** The deployments of every AppConfig target's environment and the status of every Proton target's environment, now. */
  public finalState(): FinalState {
    const appConfig = new Map<string, { targets: string[]; applicationId: string; environmentId: string }>();
    const proton = new Map<string, { targets: string[]; environmentName: string }>();
    for (const { target } of this.rules) {
      if (target.kind === TargetKind.APPCONFIG) {
        const key = `${target.applicationId}/${target.environmentId}`;
        const entry = appConfig.get(key) ?? { targets: [], applicationId: target.applicationId, environmentId: target.environmentId };
        if (!entry.targets.includes(target.name)) entry.targets.push(target.name);
        appConfig.set(key, entry);
      } else {
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
    return {
      assembly: this.assembly,
      rules: this.ruleSummaries,
      events: [...this.events],
      finalState: this.finalState(),
      ledger: await this.ledger(),
    };
  }

  /** Stops the handlers and the local services. */
  public async close(): Promise<void> {
    await Promise.allSettled([...this.runtimes.values()].map((runtime) => runtime.invoker.close()));
    await Promise.allSettled([this.appConfig.close(), this.proton.close(), this.dynamo.close(), this.sink?.close()]);
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
        env: {
          AWS_REGION: fn.stack.environment.region,
          ...fn.environment,
          ...localEndpoints({
            appConfig: this.appConfig.endpoint,
            proton: this.proton.endpoint,
            dynamo: this.dynamo.endpoint,
            sns: this.sink?.endpoint,
          }),
        },
      });
      const instance = start();
      const invoker = new AsyncInvoker({ instances: [instance], startInstance: start, retryAttempts: fn.retryAttempts });
      this.runtimes.set(fn.arn, { fn, instance, invoker });
    }
  }

  private async invoke(rule: RollbackRule, event: unknown): Promise<Delivery> {
    const runtime = this.runtimes.get(rule.function.arn)!;
    const input = buildTargetInput(rule.inputSettings, event, { ruleArn: rule.arn, ruleName: rule.name });
    const seen = { appConfig: this.appConfig.requests.length, proton: this.proton.requests.length, sns: this.sink?.notifications.length ?? 0 };
    const result = await runtime.invoker.invoke(input);
    const last = result.attempts[result.attempts.length - 1];
    const record = last?.ok ? last.result as RollbackRecord : undefined;
    const calls = [
      ...this.appConfig.requests.slice(seen.appConfig).map((request) => call('AppConfig', request)),
      ...this.proton.requests.slice(seen.proton).map((request) => call('Proton', request)),
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

function mismatch(pattern: Record<string, unknown>, event: unknown): string | undefined {
  const explanation = explainEventPattern(pattern, event);
  return explanation.matched ? undefined : `${explanation.field} does not match the rule's pattern`;
}

function call(service: ServiceCall['service'], request: RecordedRequest): ServiceCall {
  return { service, operation: request.operation, status: request.status, ...(request.error ? { error: request.error } : {}) };
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
