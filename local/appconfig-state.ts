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
  /** @default 'profile1' */
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

  constructor(private readonly clock: VirtualClock) {
    PREDEFINED_STRATEGIES.forEach((strategy) => this.addStrategy(strategy));
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
        configurationProfileId: deployment.configurationProfileId ?? 'profile1',
        configurationVersion: deployment.configurationVersion ?? '1',
        description: deployment.description,
      }, deployment.startedAt ?? this.now());
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
   * deployment of the environment is in progress.
   */
  startDeployment(applicationId: string, environmentId: string, input: StartDeploymentInput): DeploymentView {
    this.environmentRecord(applicationId, environmentId);
    const running = this.records(applicationId, environmentId).find((record) => IN_PROGRESS.includes(this.view(record).state));
    if (running) {
      throw new ServiceError('ConflictException', 409,
        `Deployment number ${running.number} is already in progress in environment ${environmentId}.`);
    }
    return this.view(this.addDeployment(applicationId, environmentId, input, this.now()));
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
