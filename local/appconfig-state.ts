import { randomUUID } from 'crypto';
import {
  answersRollBack, ExtensionInvocation, ExtensionInvoker, ExtensionPayload, ExtensionRegistry, LocalActionPoint, PAYLOAD_TYPE,
} from './appconfig-extensions';
import { rolloutAt, DeploymentState, GrowthType, RolloutEvent, RolloutStrategy, TriggeredBy } from './appconfig-rollout';
import { ServiceError } from './service-error';
import { VirtualClock } from './virtual-clock';

export interface DeploymentStrategySeed {
  readonly id: string;
  readonly name?: string;
  readonly deploymentDurationInMinutes: number;
  readonly growthFactor: number;
  /** @default 'LINEAR' */
  readonly growthType?: GrowthType;
  /** @default 0 */
  readonly finalBakeTimeInMinutes?: number;
}

export interface ApplicationSeed {
  readonly id: string;
  readonly name?: string;
  readonly environments?: readonly { readonly id: string; readonly name?: string }[];
}

export interface DeploymentSeed {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly deploymentStrategyId: string;
  /** @default - now, in service time */
  readonly startedAt?: number;
  /** @default 'profil1' */
  readonly configurationProfileId?: string;
  /** @default '1' */
  readonly configurationVersion?: string;
  readonly description?: string;
  /** Stops the deployment at `at` as if StopDeployment (allowRevert) had been called by `triggeredBy`. */
  readonly stopped?: { readonly at: number; readonly triggeredBy?: TriggeredBy };
}

export interface AppConfigSeed {
  readonly applications?: readonly ApplicationSeed[];
  readonly deploymentStrategies?: readonly DeploymentStrategySeed[];
  /** Numbered 1, 2, ... per environment in the order given. */
  readonly deployments?: readonly DeploymentSeed[];
}

export interface StartDeploymentInput {
  readonly deploymentStrategyId: string;
  readonly configurationProfileId: string;
  readonly configurationVersion: string;
  readonly description?: string;
}

interface Strategy extends RolloutStrategy {
  readonly id: string;
  readonly name: string;
}

interface Stop {
  readonly at: number;
  readonly state: 'ROLLED_BACK' | 'REVERTED';
  readonly triggeredBy: TriggeredBy;
}

interface DeploymentRecord {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly number: number;
  readonly strategy: Strategy;
  readonly startedAt: number;
  readonly configurationProfileId: string;
  readonly configurationVersion: string;
  readonly description?: string;
  stop?: Stop;
  /** AT_DEPLOYMENT_TICK invocations already made (tick n is at startedAt + n * tickIntervalMs). */
  ticksRun: number;
}

/** A deployment as AppConfig reports it at one moment (times in epoch ms). */
export interface DeploymentView {
  readonly record: DeploymentRecord;
  readonly state: DeploymentState;
  readonly percentageComplete: number;
  readonly completedAt?: number;
  /** Newest first, the order AppConfig's GetDeployment returns its EventLog in. */
  readonly events: RolloutEvent[];
}

/**
 * The predefined strategies every account has, so StartDeployment works
 * without seeding one (values from the AppConfig user guide).
 */
const PREDEFINED_STRATEGIES: readonly DeploymentStrategySeed[] = [
  { id: 'AppConfig.AllAtOnce', deploymentDurationInMinutes: 0, growthFactor: 100, finalBakeTimeInMinutes: 10 },
  { id: 'AppConfig.Linear50PercentEvery30Seconds', deploymentDurationInMinutes: 1, growthFactor: 50, finalBakeTimeInMinutes: 1 },
  { id: 'AppConfig.Linear20PercentEvery6Minutes', deploymentDurationInMinutes: 30, growthFactor: 20, finalBakeTimeInMinutes: 30 },
  { id: 'AppConfig.Canary10Percent20Minutes', deploymentDurationInMinutes: 20, growthFactor: 10, growthType: 'EXPONENTIAL', finalBakeTimeInMinutes: 10 },
];

/** AppConfig's revert window: "AppConfig only allows a revert within 72 hours of deployment completion" (StopDeployment). */
export const REVERT_WINDOW_MS = 72 * 60 * 60_000;

const IN_PROGRESS: readonly DeploymentState[] = ['VALIDATING', 'DEPLOYING', 'BAKING', 'ROLLING_BACK'];

const notFound = (message: string, resourceName: string) =>
  new ServiceError('ResourceNotFoundException', 404, message, { ResourceName: resourceName });
const badRequest = (message: string) => new ServiceError('BadRequestException', 400, message);

export interface AppConfigExtensionOptions {
  /**
   * How often AppConfig invokes AT_DEPLOYMENT_TICK actions during a rollout
   * and its bake. AWS documents neither the interval nor how long AppConfig
   * waits for the function; one minute is our pick, the order of the
   * rollout steps of the predefined strategies.
   * @default 60_000
   */
  readonly tickIntervalMs?: number;
  /**
   * Invokes extension actions. Without one, associated actions cannot run
   * and every invocation fails, as an action whose function is missing would.
   * @default - none: set one with `setExtensionInvoker`
   */
  readonly invoker?: ExtensionInvoker;
  /** @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly account?: string;
}

/** Generates AppConfig-looking ids: 7 characters of [a-z0-9]. */
export function appConfigId(): string {
  return Math.random().toString(36).slice(2, 9).padEnd(7, '0');
}

/** Applications, environments, strategies and deployments of one emulated account. */
export class AppConfigState {
  private readonly applications = new Map<string, { id: string; name: string; description?: string }>();
  private readonly environments = new Map<string, { applicationId: string; id: string; name: string; description?: string }>();
  private readonly strategies = new Map<string, Strategy>();
  private readonly deployments = new Map<string, DeploymentRecord[]>();
  /** Extensions and associations; actions run through the invoker. */
  public readonly extensions: ExtensionRegistry;
  /** Every extension invocation, oldest first. */
  public readonly invocations: ExtensionInvocation[] = [];
  public readonly tickIntervalMs: number;
  private invoker: ExtensionInvoker | undefined;
  private ticking: Promise<unknown> = Promise.resolve();

  constructor(private readonly clock: VirtualClock, options: AppConfigExtensionOptions = {}) {
    PREDEFINED_STRATEGIES.forEach((strategy) => this.addStrategy(strategy));
    this.tickIntervalMs = options.tickIntervalMs ?? 60_000;
    if (!(this.tickIntervalMs > 0)) {
      throw new Error(`tickIntervalMs must be a positive number of milliseconds, got ${options.tickIntervalMs}`);
    }
    this.invoker = options.invoker;
    this.extensions = new ExtensionRegistry(options.region ?? 'us-east-1', options.account ?? '123456789012');
  }

  /** Sets what runs extension actions (a stub in tests, the bundled function in simulate). */
  setExtensionInvoker(invoker: ExtensionInvoker): void {
    this.invoker = invoker;
  }

  /** Service time in epoch milliseconds. */
  now(): number {
    return this.clock.now();
  }

  /** Moves service time forward; deployments progress accordingly. */
  advance(ms: number): void {
    this.clock.advance(ms);
  }

  seed(seed: AppConfigSeed): void {
    for (const application of seed.applications ?? []) {
      this.applications.set(application.id, { id: application.id, name: application.name ?? application.id });
      for (const environment of application.environments ?? []) {
        this.addEnvironment(application.id, environment.id, environment.name ?? environment.id);
      }
    }
    seed.deploymentStrategies?.forEach((strategy) => this.addStrategy(strategy));
    for (const deployment of seed.deployments ?? []) {
      const record = this.addDeployment(deployment.applicationId, deployment.environmentId, {
        deploymentStrategyId: deployment.deploymentStrategyId,
        configurationProfileId: deployment.configurationProfileId ?? 'profil1',
        configurationVersion: deployment.configurationVersion ?? '1',
        description: deployment.description,
      }, deployment.startedAt ?? this.now());
      // A seeded deployment's past ticks are history the alarm states of now
      // say nothing about: its ticks start with the next one due.
      record.ticksRun = Math.max(0, Math.floor((this.now() - record.startedAt) / this.tickIntervalMs));
      if (deployment.stopped) {
        const progress = this.view(record, deployment.stopped.at);
        record.stop = {
          at: deployment.stopped.at,
          state: progress.state === 'COMPLETE' ? 'REVERTED' : 'ROLLED_BACK',
          triggeredBy: deployment.stopped.triggeredBy ?? 'USER',
        };
      }
    }
  }

  createApplication(name: string, description?: string) {
    const application = { id: appConfigId(), name, ...(description ? { description } : {}) };
    this.applications.set(application.id, application);
    return application;
  }

  createEnvironment(applicationId: string, name: string, description?: string) {
    this.application(applicationId);
    return this.addEnvironment(applicationId, appConfigId(), name, description);
  }

  createDeploymentStrategy(seed: Omit<DeploymentStrategySeed, 'id'>): Strategy {
    return this.addStrategy({ ...seed, id: appConfigId() });
  }

  /** The environment and the AppConfig EnvironmentState its latest deployment gives it. */
  environment(applicationId: string, environmentId: string) {
    const environment = this.environmentRecord(applicationId, environmentId);
    const latest = this.records(applicationId, environmentId).at(-1);
    const state = latest ? this.view(latest).state : undefined;
    const environmentState = state === undefined || state === 'COMPLETE'
      ? 'READY_FOR_DEPLOYMENT'
      : IN_PROGRESS.includes(state) ? 'DEPLOYING' : state;
    return { ...environment, state: environmentState };
  }

  /**
   * StartDeployment. AppConfig answers ConflictException (409) while another
   * deployment of the environment is in progress. Then the PRE_START_DEPLOYMENT
   * actions of associated extensions run, one after another, before the
   * deployment exists ("Step 3: Create a custom AWS AppConfig extension": PRE_*
   * actions run with the request and can answer an error to prevent it). The
   * first that fails refuses the start with BadRequestException (400): the
   * model's StartDeployment errors are BadRequest, ResourceNotFound, Conflict
   * and InternalServer, and AWS does not say which one a refusing extension
   * causes; BadRequest is the closest (the request is refused, not broken).
   * The refused deployment takes no number.
   */
  async startDeployment(applicationId: string, environmentId: string, input: StartDeploymentInput): Promise<DeploymentView> {
    await this.runDueTicks();
    this.environmentRecord(applicationId, environmentId);
    const running = this.records(applicationId, environmentId).find((record) => IN_PROGRESS.includes(this.view(record).state));
    if (running) {
      throw new ServiceError('ConflictException', 409,
        `Deployment number ${running.number} is already in progress in environment ${environmentId}.`);
    }
    const number = this.records(applicationId, environmentId).length + 1;
    const at = this.now();
    for (const { extension, association, action } of this.extensions.actionsFor('PRE_START_DEPLOYMENT', applicationId, environmentId)) {
      const payload = this.payload('PRE_START_DEPLOYMENT', association.parameters, applicationId, environmentId, number, input);
      const { error, answer } = await this.invoke(action, payload);
      this.invocations.push({
        at,
        actionPoint: 'PRE_START_DEPLOYMENT',
        extensionId: extension.id,
        associationId: association.id,
        action: action.name,
        applicationId,
        environmentId,
        deploymentNumber: number,
        invocationId: payload.InvocationId,
        decision: error === undefined ? 'ALLOWED' : 'REFUSED',
        answer,
        error,
      });
      if (error !== undefined) {
        throw new ServiceError('BadRequestException', 400,
          `Extension ${extension.name} (action ${action.name}) refused to start the deployment at PRE_START_DEPLOYMENT: ${error}`);
      }
    }
    return this.view(this.addDeployment(applicationId, environmentId, input, this.now()));
  }

  /**
   * Runs the AT_DEPLOYMENT_TICK actions that are due by now, tick by tick in
   * service time, for every deployment that was DEPLOYING or BAKING at its
   * tick. AT_* actions run synchronously beside the workflow, and an error
   * makes AppConfig stop the deployment and roll it back ("Step 3: Create a
   * custom AWS AppConfig extension"); so does the directive ROLL_BACK of the
   * tick extensions' answer. The rollback takes effect at the tick's time,
   * triggered by APPCONFIG: AWS does not say which TriggeredBy it records for
   * an extension's rollback. Calls are serialized, so a request arriving while
   * ticks run sees their outcome.
   */
  runDueTicks(): Promise<ExtensionInvocation[]> {
    const run = this.ticking.then(() => this.runTicksNow());
    this.ticking = run.catch(() => undefined);
    return run;
  }

  private async runTicksNow(): Promise<ExtensionInvocation[]> {
    const made: ExtensionInvocation[] = [];
    const now = this.now();
    // Earliest tick first across every environment, so ledger records and
    // claims follow service time.
    for (;;) {
      let next: { record: DeploymentRecord; at: number } | undefined;
      for (const records of this.deployments.values()) {
        for (const record of records) {
          const at = record.startedAt + (record.ticksRun + 1) * this.tickIntervalMs;
          if (at > now || (next && next.at <= at)) continue;
          const state = this.view(record, at).state;
          if (state === 'DEPLOYING' || state === 'BAKING') next = { record, at };
        }
      }
      if (!next) return made;
      next.record.ticksRun += 1;
      await this.tick(next.record, next.at, made);
    }
  }

  private async tick(record: DeploymentRecord, at: number, made: ExtensionInvocation[]): Promise<boolean> {
    const { applicationId, environmentId } = record;
    for (const { extension, association, action } of this.extensions.actionsFor('AT_DEPLOYMENT_TICK', applicationId, environmentId)) {
      const payload = this.payload('AT_DEPLOYMENT_TICK', association.parameters, applicationId, environmentId, record.number, record);
      const { error, answer } = await this.invoke(action, payload);
      const rollBack = error !== undefined || answersRollBack(answer);
      const invocation: ExtensionInvocation = {
        at,
        actionPoint: 'AT_DEPLOYMENT_TICK',
        extensionId: extension.id,
        associationId: association.id,
        action: action.name,
        applicationId,
        environmentId,
        deploymentNumber: record.number,
        invocationId: payload.InvocationId,
        decision: rollBack ? 'ROLL_BACK' : 'CONTINUE',
        answer,
        error,
      };
      this.invocations.push(invocation);
      made.push(invocation);
      if (rollBack) {
        record.stop = { at, state: 'ROLLED_BACK', triggeredBy: 'APPCONFIG' };
        return true;
      }
    }
    return false;
  }

  private async invoke(action: { name: string; uri: string }, payload: ExtensionPayload): Promise<{ answer?: unknown; error?: string }> {
    if (!this.invoker) {
      return { error: `no function answers ${action.uri} in this local AppConfig (set one with setExtensionInvoker)` };
    }
    try {
      return { answer: await this.invoker(action, payload) };
    } catch (error) {
      return { error: error instanceof Error ? error.message : String(error) };
    }
  }

  private payload(point: LocalActionPoint, parameters: Readonly<Record<string, string>>, applicationId: string,
    environmentId: string, deploymentNumber: number, input: Pick<StartDeploymentInput, 'configurationProfileId' | 'configurationVersion' | 'description'>,
  ): ExtensionPayload {
    return {
      InvocationId: randomUUID(),
      Parameters: { ...parameters },
      Type: PAYLOAD_TYPE[point],
      Application: { Id: applicationId },
      Environment: { Id: environmentId },
      ConfigurationProfile: { Id: input.configurationProfileId, Name: input.configurationProfileId },
      DeploymentNumber: deploymentNumber,
      ...(input.description ? { Description: input.description } : {}),
      ConfigurationVersion: input.configurationVersion,
      CreatedBy: 'arn:aws:iam::123456789012:user/local',
    };
  }

  /** ListDeployments order: descending DeploymentNumber. */
  listDeployments(applicationId: string, environmentId: string): DeploymentView[] {
    this.environmentRecord(applicationId, environmentId);
    return this.records(applicationId, environmentId).map((record) => this.view(record)).reverse();
  }

  getDeployment(applicationId: string, environmentId: string, deploymentNumber: number): DeploymentView {
    return this.view(this.record(applicationId, environmentId, deploymentNumber));
  }

  /**
   * StopDeployment, following its API reference: without AllowRevert only a
   * DEPLOYING deployment can be stopped; with it an in-progress deployment
   * becomes ROLLED_BACK, and a COMPLETE one REVERTED if it is the
   * environment's latest and completed within 72 hours. Anything else is a
   * BadRequestException (400).
   */
  stopDeployment(applicationId: string, environmentId: string, deploymentNumber: number,
    options: { allowRevert?: boolean; triggeredBy?: TriggeredBy } = {}): DeploymentView {
    const record = this.record(applicationId, environmentId, deploymentNumber);
    const now = this.now();
    const current = this.view(record, now);
    const triggeredBy = options.triggeredBy ?? 'USER';
    const label = `Deployment number ${deploymentNumber} of environment ${environmentId}`;

    if (current.state === 'DEPLOYING' || (options.allowRevert && IN_PROGRESS.includes(current.state))) {
      record.stop = { at: now, state: 'ROLLED_BACK', triggeredBy };
    } else if (current.state === 'COMPLETE' && options.allowRevert) {
      const latest = this.records(applicationId, environmentId).at(-1);
      if (latest !== record) {
        throw badRequest(`${label} cannot be reverted because it is not the latest deployment of the environment.`);
      }
      if (now - current.completedAt! > REVERT_WINDOW_MS) {
        throw badRequest(`${label} cannot be reverted because it completed more than 72 hours ago.`);
      }
      record.stop = { at: now, state: 'REVERTED', triggeredBy };
    } else if (IN_PROGRESS.includes(current.state) || current.state === 'COMPLETE') {
      throw badRequest(`${label} is ${current.state}. Only deployments in state DEPLOYING can be stopped unless AllowRevert is set.`);
    } else {
      throw badRequest(`${label} cannot be stopped because it is already ${current.state}.`);
    }
    return this.view(record, now);
  }

  private view(record: DeploymentRecord, now = this.now()): DeploymentView {
    const stop = record.stop && record.stop.at <= now ? record.stop : undefined;
    const progress = rolloutAt(record.strategy, record.startedAt, stop ? stop.at : now);
    if (!stop) {
      return { record, ...progress, events: [...progress.events].reverse() };
    }
    const closing: RolloutEvent[] = stop.state === 'REVERTED'
      ? [{ type: 'REVERT_COMPLETED', triggeredBy: stop.triggeredBy, description: 'Deployment reverted', at: stop.at }]
      : [
        { type: 'ROLLBACK_STARTED', triggeredBy: stop.triggeredBy, description: 'Rollback started', at: stop.at },
        { type: 'ROLLBACK_COMPLETED', triggeredBy: stop.triggeredBy, description: 'Rollback completed', at: stop.at },
      ];
    return {
      record,
      state: stop.state,
      percentageComplete: progress.percentageComplete,
      completedAt: progress.completedAt,
      events: [...progress.events, ...closing].reverse(),
    };
  }

  private addStrategy(seed: DeploymentStrategySeed): Strategy {
    const strategy: Strategy = {
      id: seed.id,
      name: seed.name ?? seed.id,
      deploymentDurationInMinutes: seed.deploymentDurationInMinutes,
      growthFactor: seed.growthFactor,
      growthType: seed.growthType ?? 'LINEAR',
      finalBakeTimeInMinutes: seed.finalBakeTimeInMinutes ?? 0,
    };
    if (!(strategy.growthFactor >= 1 && strategy.growthFactor <= 100)) {
      throw badRequest(`GrowthFactor must be between 1 and 100, got ${strategy.growthFactor}.`);
    }
    this.strategies.set(strategy.id, strategy);
    return strategy;
  }

  private addEnvironment(applicationId: string, id: string, name: string, description?: string) {
    const environment = { applicationId, id, name, ...(description ? { description } : {}) };
    this.environments.set(`${applicationId}/${id}`, environment);
    return environment;
  }

  private addDeployment(applicationId: string, environmentId: string, input: StartDeploymentInput, startedAt: number): DeploymentRecord {
    const strategy = this.strategies.get(input.deploymentStrategyId);
    if (!strategy) {
      throw notFound(`Deployment strategy ${input.deploymentStrategyId} not found.`, input.deploymentStrategyId);
    }
    const records = this.records(applicationId, environmentId);
    const record: DeploymentRecord = {
      applicationId,
      environmentId,
      number: records.length + 1,
      strategy,
      startedAt,
      configurationProfileId: input.configurationProfileId,
      configurationVersion: input.configurationVersion,
      description: input.description,
      ticksRun: 0,
    };
    records.push(record);
    this.deployments.set(`${applicationId}/${environmentId}`, records);
    return record;
  }

  private application(applicationId: string) {
    const application = this.applications.get(applicationId);
    if (!application) throw notFound(`Application ${applicationId} not found.`, applicationId);
    return application;
  }

  private environmentRecord(applicationId: string, environmentId: string) {
    this.application(applicationId);
    const environment = this.environments.get(`${applicationId}/${environmentId}`);
    if (!environment) throw notFound(`Environment ${environmentId} not found in application ${applicationId}.`, environmentId);
    return environment;
  }

  private records(applicationId: string, environmentId: string): DeploymentRecord[] {
    return this.deployments.get(`${applicationId}/${environmentId}`) ?? [];
  }

  private record(applicationId: string, environmentId: string, deploymentNumber: number): DeploymentRecord {
    this.environmentRecord(applicationId, environmentId);
    const record = this.records(applicationId, environmentId)[deploymentNumber - 1];
    if (!record) {
      throw notFound(`Deployment number ${deploymentNumber} not found in environment ${environmentId}.`, String(deploymentNumber));
    }
    return record;
  }
}
