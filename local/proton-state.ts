import { randomUUID } from 'crypto';
import { ServiceError } from './service-error';
import { VirtualClock } from './virtual-clock';

/** Proton's DeploymentStatus enum (the ones an environment update moves through). */
export type ProtonDeploymentStatus = 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED' | 'CANCELLING' | 'CANCELLED';

export interface ProtonEnvironmentSeed {
  readonly name: string;
  /** @default 'SUCCEEDED' (IN_PROGRESS starts an update at `deploymentStartedAt`) */
  readonly deploymentStatus?: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  /** When the seeded IN_PROGRESS update started. @default - now */
  readonly deploymentStartedAt?: number;
  /** @default 'env-template' */
  readonly templateName?: string;
  /** @default '1' */
  readonly templateMajorVersion?: string;
  /** @default '0' */
  readonly templateMinorVersion?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
}

export interface ProtonTimings {
  /**
   * How long an UpdateEnvironment deployment runs before it SUCCEEDS.
   * @default 300_000 (5 minutes of service time)
   */
  readonly deploymentDurationMs?: number;
  /**
   * How long a cancelled deployment stays CANCELLING before it is CANCELLED.
   * @default 5_000
   */
  readonly cancelDurationMs?: number;
}

export interface CreateProtonEnvironmentInput {
  readonly templateName: string;
  readonly templateMajorVersion: string;
  readonly templateMinorVersion?: string;
  readonly spec?: string;
  readonly description?: string;
}

export interface UpdateProtonEnvironmentInput {
  /** DeploymentUpdateType: NONE, CURRENT_VERSION, MINOR_VERSION or MAJOR_VERSION. */
  readonly deploymentType: string;
  readonly spec?: string;
  readonly description?: string;
  readonly templateMajorVersion?: string;
  readonly templateMinorVersion?: string;
}

type TemplateFields = Partial<Pick<ProtonEnvironmentSeed, 'templateName' | 'templateMajorVersion' | 'templateMinorVersion' | 'accountId'>>;

interface Update {
  readonly id: string;
  readonly startedAt: number;
  cancelRequestedAt?: number;
}

interface EnvironmentRecord {
  readonly name: string;
  readonly arn: string;
  readonly createdAt: number;
  readonly templateName: string;
  templateMajorVersion: string;
  templateMinorVersion: string;
  spec?: string;
  description?: string;
  deploymentStatus: ProtonDeploymentStatus;
  lastAttemptedDeploymentId?: string;
  lastDeploymentAttemptedAt: number;
  lastSucceededDeploymentId?: string;
  lastDeploymentSucceededAt: number;
  update?: Update;
}

/** A Proton environment as GetEnvironment reports it (times in epoch ms). */
export type ProtonEnvironmentView = Omit<EnvironmentRecord, 'update'>;

/**
 * The EventBridge event Proton sends when an environment's deployment status
 * changes (EventBridge reference "AWS Proton events": source aws.proton,
 * detail-type "AWS Proton Environment Status Change", detail name, status
 * and previousStatus). Delivery of these events is best effort.
 */
export interface ProtonStatusChangeEvent {
  readonly 'version': '0';
  readonly 'id': string;
  readonly 'detail-type': 'AWS Proton Environment Status Change';
  readonly 'source': 'aws.proton';
  readonly 'account': string;
  /** When the status changed (ISO 8601), in service time. */
  readonly 'time': string;
  readonly 'region': string;
  readonly 'resources': string[];
  readonly 'detail': { readonly name: string; readonly status: ProtonDeploymentStatus; readonly previousStatus: ProtonDeploymentStatus };
}

export type ProtonStatusListener = (event: ProtonStatusChangeEvent) => void;

const notFound = (name: string) => new ServiceError('ResourceNotFoundException', 400, `Environment ${name} not found.`);

/** Proton environments of one emulated account, their updates settled lazily from the clock. */
export class ProtonState {
  private readonly environments = new Map<string, EnvironmentRecord>();
  private readonly deploymentDurationMs: number;
  private readonly cancelDurationMs: number;
  private readonly listeners: ProtonStatusListener[] = [];

  constructor(private readonly clock: VirtualClock, timings: ProtonTimings = {}) {
    this.deploymentDurationMs = timings.deploymentDurationMs ?? 300_000;
    this.cancelDurationMs = timings.cancelDurationMs ?? 5_000;
  }

  now(): number {
    return this.clock.now();
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /**
   * Calls `listener` with a status-change event at every change of an
   * environment's deployment status. Changes that come from the clock
   * (SUCCEEDED, CANCELLED) are seen when the environment is next read, and
   * carry the time they happened at.
   */
  onStatusChange(listener: ProtonStatusListener): void {
    this.listeners.push(listener);
  }

  seed(seed: { readonly environments?: readonly ProtonEnvironmentSeed[] }): void {
    for (const environment of seed.environments ?? []) {
      const now = this.now();
      const record = this.create(environment.name, {
        templateName: environment.templateName,
        templateMajorVersion: environment.templateMajorVersion,
        templateMinorVersion: environment.templateMinorVersion,
        accountId: environment.accountId,
      }, now);
      const status = environment.deploymentStatus ?? 'SUCCEEDED';
      if (status === 'IN_PROGRESS') {
        this.begin(record, environment.deploymentStartedAt ?? now);
      } else {
        record.deploymentStatus = status;
      }
    }
  }

  /** CreateEnvironment: the environment's first deployment starts at once. */
  createEnvironment(name: string, input: CreateProtonEnvironmentInput): ProtonEnvironmentView {
    if (this.environments.has(name)) {
      throw new ServiceError('ConflictException', 400, `Environment ${name} already exists.`);
    }
    const record = this.create(name, input, this.now());
    record.spec = input.spec;
    record.description = input.description;
    this.begin(record, record.createdAt);
    return this.view(record);
  }

  getEnvironment(name: string): ProtonEnvironmentView {
    return this.view(this.settled(name));
  }

  listEnvironments(): ProtonEnvironmentView[] {
    return [...this.environments.keys()].sort().map((name) => this.getEnvironment(name));
  }

  /**
   * UpdateEnvironment. `deploymentType: NONE` changes metadata only; any other
   * type starts a deployment, refused with ConflictException while one is
   * still IN_PROGRESS or CANCELLING.
   */
  updateEnvironment(name: string, input: UpdateProtonEnvironmentInput): ProtonEnvironmentView {
    const record = this.settled(name);
    if (record.update) {
      throw new ServiceError('ConflictException', 400,
        `Environment ${name} has a deployment ${record.deploymentStatus}: ${record.update.id}.`);
    }
    if (input.description !== undefined) record.description = input.description;
    if (input.deploymentType !== 'NONE') {
      record.spec = input.spec ?? record.spec;
      record.templateMajorVersion = input.templateMajorVersion ?? record.templateMajorVersion;
      record.templateMinorVersion = input.templateMinorVersion ?? record.templateMinorVersion;
      this.begin(record, this.now());
    }
    return this.view(record);
  }

  /**
   * CancelEnvironmentDeployment: an IN_PROGRESS update becomes CANCELLING,
   * then CANCELLED after `cancelDurationMs`. With nothing IN_PROGRESS this
   * answers ValidationException (400). Neither the 2020-07-20 model nor the API
   * reference says which of its declared errors (ValidationException,
   * ConflictException, ...) AWS uses for that case; the reference only says
   * the call cancels "if the deployment is IN_PROGRESS". ValidationException
   * is our reading; keep callers tolerant of ConflictException too.
   */
  cancelEnvironmentDeployment(name: string): ProtonEnvironmentView {
    const record = this.settled(name);
    if (record.deploymentStatus !== 'IN_PROGRESS' || !record.update) {
      throw new ServiceError('ValidationException', 400,
        `Environment ${name} has no deployment IN_PROGRESS to cancel (deploymentStatus ${record.deploymentStatus}).`);
    }
    record.update.cancelRequestedAt = this.now();
    this.setStatus(record, 'CANCELLING', record.update.cancelRequestedAt);
    return this.view(record);
  }

  private create(name: string, input: TemplateFields, now: number): EnvironmentRecord {
    const record: EnvironmentRecord = {
      name,
      arn: `arn:aws:proton:us-east-1:${input.accountId ?? '123456789012'}:environment/${name}`,
      createdAt: now,
      templateName: input.templateName ?? 'env-template',
      templateMajorVersion: input.templateMajorVersion ?? '1',
      templateMinorVersion: input.templateMinorVersion ?? '0',
      deploymentStatus: 'SUCCEEDED',
      lastDeploymentAttemptedAt: now,
      lastDeploymentSucceededAt: now,
    };
    this.environments.set(name, record);
    return record;
  }

  private begin(record: EnvironmentRecord, startedAt: number): void {
    const id = randomUUID();
    record.update = { id, startedAt };
    this.setStatus(record, 'IN_PROGRESS', startedAt);
    record.lastAttemptedDeploymentId = id;
    record.lastDeploymentAttemptedAt = startedAt;
  }

  /** Brings the environment's update up to the clock: SUCCEEDED or CANCELLED once its time has come. */
  private settled(name: string): EnvironmentRecord {
    const record = this.environments.get(name);
    if (!record) throw notFound(name);
    const { update } = record;
    const now = this.now();
    if (update?.cancelRequestedAt !== undefined) {
      if (now >= update.cancelRequestedAt + this.cancelDurationMs) {
        record.update = undefined;
        this.setStatus(record, 'CANCELLED', update.cancelRequestedAt + this.cancelDurationMs);
      }
    } else if (update && now >= update.startedAt + this.deploymentDurationMs) {
      record.lastSucceededDeploymentId = update.id;
      record.lastDeploymentSucceededAt = update.startedAt + this.deploymentDurationMs;
      record.update = undefined;
      this.setStatus(record, 'SUCCEEDED', record.lastDeploymentSucceededAt);
    }
    return record;
  }

  private setStatus(record: EnvironmentRecord, status: ProtonDeploymentStatus, at: number): void {
    const previousStatus = record.deploymentStatus;
    record.deploymentStatus = status;
    if (previousStatus === status || this.listeners.length === 0) return;
    const [, , , region, account] = record.arn.split(':');
    const event: ProtonStatusChangeEvent = {
      'version': '0',
      'id': randomUUID(),
      'detail-type': 'AWS Proton Environment Status Change',
      'source': 'aws.proton',
      account,
      'time': new Date(at).toISOString(),
      region,
      'resources': [record.arn],
      'detail': { name: record.name, status, previousStatus },
    };
    this.listeners.forEach((listener) => listener(event));
  }

  private view(record: EnvironmentRecord): ProtonEnvironmentView {
    const { update: _update, ...view } = record;
    return { ...view };
  }
}
