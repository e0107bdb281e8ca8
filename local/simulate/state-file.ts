import { readJson } from './cloud-assembly';
import { derivedAppConfigId } from './intrinsics';
import { describeUnknownKey, findUnknownKey, listOf, objectOf, VALUE, valuesOf } from './known-keys';
import { SimulationInputError } from './simulation-input-error';
import { checkStackState, StateCloudFormation } from './stack-state';
import { Rules, TextRule } from '../../src/contract';
import { AppConfigSeed, ApplicationSeed, DeploymentSeed, DeploymentStrategySeed } from '../appconfig-state';
import { ALARM_STATES, AlarmStateValue } from '../cloudwatch-state';
import { ProtonEnvironmentSeed } from '../proton-state';

/**
 * What exists in the account before the alarms fire, as `--state` gives it.
 * Times are relative to the start of the simulation (`startedMinutesAgo`) or
 * absolute (`startedAt`, ISO 8601), so example files do not rot.
 */
export interface SimulationState {
  readonly appConfig?: {
    /** Applications created outside the stack (the stack's own are added from the template). */
    readonly applications?: readonly StateApplication[];
    readonly deploymentStrategies?: readonly StateDeploymentStrategy[];
    /** Deployments, numbered 1, 2, ... per environment in the order given. */
    readonly deployments?: readonly StateDeployment[];
    /**
     * Deployments started with StartDeployment when the simulation starts,
     * after the seeded ones: associated extensions see PRE_START_DEPLOYMENT
     * (and may refuse them), then their ticks.
     */
    readonly starts?: readonly StateDeploymentStart[];
  };
  /** The stacks stack targets guard, and the updates to start (see StateCloudFormation). */
  readonly cloudFormation?: StateCloudFormation;
  readonly cloudWatch?: {
    /**
     * The alarms' state when the simulation starts, by name or ARN. The
     * stacks' alarms and the alarms the rules watch that are not listed are OK.
     */
    readonly alarms?: readonly StateAlarm[];
  };
  /**
   * The AWS Organizations organization the assembly's accounts belong to:
   * a bus policy that allows `aws:PrincipalOrgID` lets exactly these accounts
   * put events on the bus.
   */
  readonly organization?: StateOrganization;
  readonly proton?: {
    readonly environments?: readonly StateProtonEnvironment[];
    /** How long an environment update runs before it SUCCEEDS. @default 5 */
    readonly deploymentDurationMinutes?: number;
  };
}

export interface StateOrganization {
  /** The organization ID, `o-` and 10 to 32 lowercase letters or digits. */
  readonly id: string;
  /** The 12-digit ids of its member accounts. */
  readonly accounts: readonly string[];
}

export interface StateApplication {
  /** @default - the id of the stack's application of that name, else one derived from the name */
  readonly id?: string;
  readonly name: string;
  readonly environments?: readonly { readonly id?: string; readonly name: string }[];
}

export interface StateDeploymentStrategy {
  /** @default - derived from the name */
  readonly id?: string;
  readonly name: string;
  readonly deploymentDurationInMinutes: number;
  readonly growthFactor: number;
  readonly growthType?: 'LINEAR' | 'EXPONENTIAL';
  readonly finalBakeTimeInMinutes?: number;
}

export interface StateDeployment {
  /** The application's id, name, or logical id in the template. */
  readonly application: string;
  /** The environment's id, name, or logical id in the template. */
  readonly environment: string;
  /** A strategy's id or name (the template's, the state's, or a predefined `AppConfig.*`). @default 'AppConfig.AllAtOnce' */
  readonly deploymentStrategy?: string;
  readonly startedMinutesAgo?: number;
  /** ISO 8601; give this or `startedMinutesAgo`. @default - now */
  readonly startedAt?: string;
  /** Already stopped (or reverted, if it had completed) this many minutes ago, by someone else. */
  readonly stoppedMinutesAgo?: number;
  readonly configurationProfileId?: string;
  readonly configurationVersion?: string;
  readonly description?: string;
}

export interface StateDeploymentStart {
  readonly application: string;
  readonly environment: string;
  /** @default 'AppConfig.AllAtOnce' */
  readonly deploymentStrategy?: string;
  readonly configurationProfileId?: string;
  readonly configurationVersion?: string;
  readonly description?: string;
}

export interface StateAlarm {
  /** The alarm's name, or its ARN. */
  readonly alarm: string;
  /** OK, ALARM or INSUFFICIENT_DATA. @default 'OK' */
  readonly state?: AlarmStateValue;
  /** False for an alarm whose actions were disabled (`aws cloudwatch disable-alarm-actions`). @default true */
  readonly actionsEnabled?: boolean;
  /** A composite alarm's actions suppressed by: Alarm, WaitPeriod or ExtensionPeriod. @default - not suppressed */
  readonly actionsSuppressedBy?: 'Alarm' | 'WaitPeriod' | 'ExtensionPeriod';
  /** The name of an active alarm mute rule muting the alarm's actions (`aws cloudwatch put-alarm-mute-rule`). @default - not muted */
  readonly mutedBy?: string;
  /** True for an alarm a target watches that does not exist in CloudWatch (deleted, or a mistyped imported name). @default false */
  readonly missing?: boolean;
}

export interface StateProtonEnvironment {
  readonly name: string;
  /** @default 'SUCCEEDED' */
  readonly deploymentStatus?: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  /** When the IN_PROGRESS update started. @default 0 */
  readonly startedMinutesAgo?: number;
  readonly templateName?: string;
  readonly templateMajorVersion?: string;
  readonly templateMinorVersion?: string;
}

/** The AppConfig resources the stacks create, with the ids simulate gave them. */
export interface StackAppConfigResources {
  readonly applications: readonly {
    readonly id: string;
    readonly name: string;
    readonly logicalId?: string;
    readonly environments: readonly { readonly id: string; readonly name: string; readonly logicalId?: string }[];
  }[];
  readonly deploymentStrategies: readonly (DeploymentStrategySeed & { readonly logicalId?: string })[];
}

const MINUTE = 60_000;

/** Every key a state file may have, as SimulationState and the "State file" table of docs/simulate.md give them. */
const STATE_SHAPE = objectOf({
  appConfig: objectOf({
    applications: listOf(objectOf({ id: VALUE, name: VALUE, environments: listOf(valuesOf('id', 'name')) })),
    deploymentStrategies: listOf(valuesOf('id', 'name', 'deploymentDurationInMinutes', 'growthFactor', 'growthType', 'finalBakeTimeInMinutes')),
    deployments: listOf(valuesOf('application', 'environment', 'deploymentStrategy', 'startedMinutesAgo', 'startedAt', 'stoppedMinutesAgo',
      'configurationProfileId', 'configurationVersion', 'description')),
    starts: listOf(valuesOf('application', 'environment', 'deploymentStrategy', 'configurationProfileId', 'configurationVersion', 'description')),
  }),
  cloudFormation: objectOf({
    stacks: listOf(valuesOf('name', 'status', 'updateStartedMinutesAgo', 'createdMinutesAgo')),
    updates: listOf(valuesOf('stack', 'disableRollback')),
  }),
  cloudWatch: objectOf({ alarms: listOf(valuesOf('alarm', 'state', 'actionsEnabled', 'actionsSuppressedBy', 'mutedBy', 'missing')) }),
  organization: valuesOf('id', 'accounts'),
  proton: objectOf({
    environments: listOf(valuesOf('name', 'deploymentStatus', 'startedMinutesAgo', 'templateName', 'templateMajorVersion', 'templateMinorVersion')),
    deploymentDurationMinutes: VALUE,
  }),
});

/** Reads and checks a state file; every problem is one line naming the field. */
export function readStateFile(file: string): SimulationState {
  return checkState(readJson(file, 'the state file'), file);
}

/** Checks a state object's shape (the parts simulate uses). */
export function checkState(state: unknown, source = 'the state'): SimulationState {
  const fail = (field: string, expected: string): never => {
    throw new SimulationInputError(`${source}: ${field} must be ${expected}; see "State file" in docs/simulate.md`);
  };
  if (!isObject(state)) fail('the top level', 'an object like { "appConfig": {...}, "proton": {...} }');
  const unknown = findUnknownKey(state, STATE_SHAPE);
  if (unknown) throw new SimulationInputError(`${source}: ${describeUnknownKey(unknown)}; see "State file" in docs/simulate.md`);
  const s = state as Record<string, any>;
  const list = (value: unknown, field: string) => {
    if (value !== undefined && !Array.isArray(value)) fail(field, 'a list');
    return (value ?? []) as Record<string, unknown>[];
  };
  const string = (value: unknown, field: string, optional = false) => {
    if ((value === undefined && !optional) || (value !== undefined && (typeof value !== 'string' || value === ''))) fail(field, 'a non-empty string');
  };
  // Ids and names follow the rules the services and the handler apply, so a
  // typo fails here, not as a REJECTED event halfway through the run.
  const ruled = (value: unknown, field: string, rule: TextRule, what: string) => {
    if (value !== undefined && !rule.test(value)) fail(field, `${what}: ${rule.says}`);
  };
  const number = (value: unknown, field: string) => {
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) fail(field, 'a number of zero or more');
  };
  if (s.appConfig !== undefined && !isObject(s.appConfig)) fail('appConfig', 'an object');
  list(s.appConfig?.applications, 'appConfig.applications').forEach((application, i) => {
    const at = `appConfig.applications[${i}]`;
    if (!isObject(application)) fail(at, 'an object');
    string(application.name, `${at}.name`);
    string(application.id, `${at}.id`, true);
    ruled(application.id, `${at}.id`, Rules.APPCONFIG_ID, 'an AppConfig id');
    list(application.environments, `${at}.environments`).forEach((environment, j) => {
      if (!isObject(environment)) fail(`${at}.environments[${j}]`, 'an object');
      string(environment.name, `${at}.environments[${j}].name`);
      string(environment.id, `${at}.environments[${j}].id`, true);
      ruled(environment.id, `${at}.environments[${j}].id`, Rules.APPCONFIG_ID, 'an AppConfig id');
    });
  });
  list(s.appConfig?.deploymentStrategies, 'appConfig.deploymentStrategies').forEach((strategy, i) => {
    const at = `appConfig.deploymentStrategies[${i}]`;
    if (!isObject(strategy)) fail(at, 'an object');
    string(strategy.name, `${at}.name`);
    number(strategy.deploymentDurationInMinutes, `${at}.deploymentDurationInMinutes`);
    if (typeof strategy.growthFactor !== 'number' || strategy.growthFactor < 1 || strategy.growthFactor > 100) fail(`${at}.growthFactor`, 'a number from 1 to 100');
    number(strategy.finalBakeTimeInMinutes, `${at}.finalBakeTimeInMinutes`);
  });
  list(s.appConfig?.deployments, 'appConfig.deployments').forEach((deployment, i) => {
    const at = `appConfig.deployments[${i}]`;
    if (!isObject(deployment)) fail(at, 'an object');
    string(deployment.application, `${at}.application`);
    string(deployment.environment, `${at}.environment`);
    string(deployment.deploymentStrategy, `${at}.deploymentStrategy`, true);
    number(deployment.startedMinutesAgo, `${at}.startedMinutesAgo`);
    number(deployment.stoppedMinutesAgo, `${at}.stoppedMinutesAgo`);
    if (deployment.startedAt !== undefined && Number.isNaN(Date.parse(String(deployment.startedAt)))) fail(`${at}.startedAt`, 'an ISO 8601 time');
  });
  list(s.appConfig?.starts, 'appConfig.starts').forEach((start, i) => {
    const at = `appConfig.starts[${i}]`;
    if (!isObject(start)) fail(at, 'an object');
    string(start.application, `${at}.application`);
    string(start.environment, `${at}.environment`);
    string(start.deploymentStrategy, `${at}.deploymentStrategy`, true);
  });
  checkStackState(s.cloudFormation, fail);
  if (s.cloudWatch !== undefined && !isObject(s.cloudWatch)) fail('cloudWatch', 'an object like { "alarms": [...] }');
  list(s.cloudWatch?.alarms, 'cloudWatch.alarms').forEach((alarm, i) => {
    const at = `cloudWatch.alarms[${i}]`;
    if (!isObject(alarm)) fail(at, 'an object like { "alarm": "checkout-5xx", "state": "ALARM" }');
    string(alarm.alarm, `${at}.alarm`);
    if (alarm.state !== undefined && !ALARM_STATES.includes(String(alarm.state) as AlarmStateValue)) fail(`${at}.state`, 'OK, ALARM or INSUFFICIENT_DATA');
    if (alarm.actionsEnabled !== undefined && typeof alarm.actionsEnabled !== 'boolean') fail(`${at}.actionsEnabled`, 'true or false');
    if (alarm.actionsSuppressedBy !== undefined && !['Alarm', 'WaitPeriod', 'ExtensionPeriod'].includes(String(alarm.actionsSuppressedBy))) {
      fail(`${at}.actionsSuppressedBy`, 'Alarm, WaitPeriod or ExtensionPeriod');
    }
    string(alarm.mutedBy, `${at}.mutedBy`, true);
    if (alarm.missing !== undefined && typeof alarm.missing !== 'boolean') fail(`${at}.missing`, 'true or false');
  });
  if (s.organization !== undefined) {
    const example = 'an object like { "id": "o-a1b2c3d4e5", "accounts": ["111111111111", "222222222222"] }';
    if (!isObject(s.organization)) fail('organization', example);
    string(s.organization.id, 'organization.id');
    ruled(s.organization.id, 'organization.id', Rules.ORGANIZATION_ID, 'an organization ID');
    if (!Array.isArray(s.organization.accounts) || s.organization.accounts.length === 0) fail('organization.accounts', `a non-empty list of account ids (${example})`);
    (s.organization.accounts as unknown[]).forEach((account, i) => {
      if (typeof account !== 'string') fail(`organization.accounts[${i}]`, `a string: ${Rules.ACCOUNT_ID.says}`);
      ruled(account, `organization.accounts[${i}]`, Rules.ACCOUNT_ID, 'an account id');
    });
  }
  if (s.proton !== undefined && !isObject(s.proton)) fail('proton', 'an object');
  number(s.proton?.deploymentDurationMinutes, 'proton.deploymentDurationMinutes');
  list(s.proton?.environments, 'proton.environments').forEach((environment, i) => {
    const at = `proton.environments[${i}]`;
    if (!isObject(environment)) fail(at, 'an object');
    string(environment.name, `${at}.name`);
    ruled(environment.name, `${at}.name`, Rules.PROTON_RESOURCE_NAME, 'a Proton environment name');
    if (environment.deploymentStatus !== undefined && !['SUCCEEDED', 'FAILED', 'IN_PROGRESS'].includes(String(environment.deploymentStatus))) {
      fail(`${at}.deploymentStatus`, 'SUCCEEDED, FAILED or IN_PROGRESS');
    }
    number(environment.startedMinutesAgo, `${at}.startedMinutesAgo`);
  });
  return s as SimulationState;
}

/** The local AppConfig's seed: the stacks' resources and the state file's, and the state file's deployments. */
export function appConfigSeed(state: SimulationState, stacks: StackAppConfigResources, now: number): AppConfigSeed {
  const applications: Array<{ id: string; name: string; logicalId?: string; environments: Array<{ id: string; name: string; logicalId?: string }> }> =
    stacks.applications.map((application) => ({ ...application, environments: [...application.environments] }));
  for (const declared of state.appConfig?.applications ?? []) {
    let application = applications.find((known) => (declared.id !== undefined && known.id === declared.id) || known.name === declared.name);
    if (!application) {
      application = { id: declared.id ?? derivedAppConfigId(`state/${declared.name}`), name: declared.name, environments: [] };
      applications.push(application);
    }
    for (const environment of declared.environments ?? []) {
      if (!application.environments.some((known) => known.name === environment.name || known.id === environment.id)) {
        application.environments.push({ id: environment.id ?? derivedAppConfigId(`state/${declared.name}/${environment.name}`), name: environment.name });
      }
    }
  }
  const strategies: Array<DeploymentStrategySeed & { logicalId?: string }> = [...stacks.deploymentStrategies];
  for (const strategy of state.appConfig?.deploymentStrategies ?? []) {
    strategies.push({ ...strategy, id: strategy.id ?? derivedAppConfigId(`state/strategy/${strategy.name}`) });
  }

  const deployments: DeploymentSeed[] = (state.appConfig?.deployments ?? []).map((deployment, i) => {
    const at = `appConfig.deployments[${i}]`;
    const application = applications.find((known) => [known.id, known.name, known.logicalId].includes(deployment.application));
    if (!application) {
      throw new SimulationInputError(`state file: ${at}.application "${deployment.application}" is neither in the stack nor in appConfig.applications; use an application's id, name or logical id`);
    }
    const environment = application.environments.find((known) => [known.id, known.name, known.logicalId].includes(deployment.environment));
    if (!environment) {
      throw new SimulationInputError(`state file: ${at}.environment "${deployment.environment}" is not an environment of application ${application.name}; use an environment's id, name or logical id`);
    }
    const strategyName = deployment.deploymentStrategy ?? 'AppConfig.AllAtOnce';
    const strategy = strategies.find((known) => [known.id, known.name, known.logicalId].includes(strategyName));
    if (!strategy && !strategyName.startsWith('AppConfig.')) {
      throw new SimulationInputError(`state file: ${at}.deploymentStrategy "${strategyName}" is not a strategy of the stack, of appConfig.deploymentStrategies, or a predefined AppConfig.* one`);
    }
    const startedAt = deployment.startedAt !== undefined
      ? Date.parse(deployment.startedAt)
      : now - (deployment.startedMinutesAgo ?? 0) * MINUTE;
    return {
      applicationId: application.id,
      environmentId: environment.id,
      deploymentStrategyId: strategy?.id ?? strategyName,
      startedAt,
      configurationProfileId: deployment.configurationProfileId,
      configurationVersion: deployment.configurationVersion,
      description: deployment.description,
      ...(deployment.stoppedMinutesAgo !== undefined ? { stopped: { at: now - deployment.stoppedMinutesAgo * MINUTE } } : {}),
    };
  });

  const applicationSeeds: ApplicationSeed[] = applications.map(({ id, name, environments }) => ({
    id, name, environments: environments.map((environment) => ({ id: environment.id, name: environment.name })),
  }));
  return {
    applications: applicationSeeds,
    deploymentStrategies: strategies.map(({ logicalId: _logicalId, ...strategy }) => strategy),
    deployments,
  };
}

/**
 * The StartDeployment calls of `appConfig.starts`, with the ids of the
 * seeded applications, environments and strategies.
 */
export function appConfigStarts(state: SimulationState, seed: AppConfigSeed, stacks: StackAppConfigResources) {
  return (state.appConfig?.starts ?? []).map((start, i) => {
    const at = `appConfig.starts[${i}]`;
    type Named = { id: string; name?: string; logicalId?: string };
    const named = (known: Named, wanted: string) => [known.id, known.name, known.logicalId].includes(wanted);
    const stackApplications = stacks.applications;
    const application = (seed.applications ?? [])
      .find((known) => named({ ...known, logicalId: stackApplications.find((a) => a.id === known.id)?.logicalId }, start.application));
    if (!application) {
      throw new SimulationInputError(`state file: ${at}.application "${start.application}" is neither in the stack nor in appConfig.applications;`
        + ' use an application\'s id, name or logical id');
    }
    const stackEnvironments = stackApplications.find((a) => a.id === application.id)?.environments ?? [];
    const environment = (application.environments ?? [])
      .find((known) => named({ ...known, logicalId: stackEnvironments.find((e) => e.id === known.id)?.logicalId }, start.environment));
    if (!environment) {
      throw new SimulationInputError(`state file: ${at}.environment "${start.environment}" is not an environment of application`
        + ` ${application.name ?? application.id}; use an environment's id, name or logical id`);
    }
    const strategyName = start.deploymentStrategy ?? 'AppConfig.AllAtOnce';
    const strategy = [...(seed.deploymentStrategies ?? []), ...stacks.deploymentStrategies]
      .find((known) => named(known as Named, strategyName));
    if (!strategy && !strategyName.startsWith('AppConfig.')) {
      throw new SimulationInputError(`state file: ${at}.deploymentStrategy "${strategyName}" is not a strategy of the stack,`
        + ' of appConfig.deploymentStrategies, or a predefined AppConfig.* one');
    }
    return {
      applicationId: application.id,
      environmentId: environment.id,
      input: {
        deploymentStrategyId: strategy?.id ?? strategyName,
        configurationProfileId: start.configurationProfileId ?? 'profil1',
        configurationVersion: start.configurationVersion ?? '1',
        description: start.description,
      },
    };
  });
}

/** The local Proton's seed. */
export function protonSeed(state: SimulationState, now: number): { environments: ProtonEnvironmentSeed[] } {
  return {
    environments: (state.proton?.environments ?? []).map((environment) => ({
      name: environment.name,
      deploymentStatus: environment.deploymentStatus,
      deploymentStartedAt: now - (environment.startedMinutesAgo ?? 0) * MINUTE,
      templateName: environment.templateName,
      templateMajorVersion: environment.templateMajorVersion,
      templateMinorVersion: environment.templateMinorVersion,
    })),
  };
}

function isObject(value: unknown): value is Record<string, any> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
