import cloudWatchRules from './models/cloudwatch.rules.json';
import { ServiceError } from './service-error';
import { VirtualClock } from './virtual-clock';
import { parseAlarmArn } from '../src/contract';

/** The StateValue enum of the CloudWatch API. */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/**
 * The AlarmType enum: DescribeAlarms' `AlarmTypes` filter. `LogAlarm` is the
 * CloudWatch Logs scheduled-query alarm (AWS::CloudWatch::LogAlarm), which
 * DescribeAlarms returns in `LogAlarms` (@aws-sdk/client-cloudwatch 3.1164.0).
 */
export type AlarmType = 'MetricAlarm' | 'CompositeAlarm' | 'LogAlarm';

/** The ActionsSuppressedBy enum of a composite alarm. */
export type ActionsSuppressedBy = 'WaitPeriod' | 'ExtensionPeriod' | 'Alarm';

export const ALARM_STATES: readonly AlarmStateValue[] = ['OK', 'ALARM', 'INSUFFICIENT_DATA'];
export const ALARM_TYPES: readonly AlarmType[] = ['MetricAlarm', 'CompositeAlarm', 'LogAlarm'];

/** The AlarmMuteRuleStatus enum of ListAlarmMuteRules' `Statuses` filter. */
export type MuteRuleStatus = 'SCHEDULED' | 'ACTIVE' | 'EXPIRED';

export const MUTE_RULE_STATUSES: readonly MuteRuleStatus[] = ['SCHEDULED', 'ACTIVE', 'EXPIRED'];

/** The most alarms one mute rule targets: the model's MuteTargetAlarmNameList (max 100). */
export const MAX_MUTE_TARGETS: number = cloudWatchRules.shapes.MuteTargetAlarmNameList.max;

/**
 * The longest alarm or mute rule name: the model's AlarmName and Name shapes
 * (1 to 255). Seeds are held to it as PutMetricAlarm and PutAlarmMuteRule
 * requests would be.
 */
const MAX_NAME_LENGTH: number = Math.min(cloudWatchRules.shapes.AlarmName.max, cloudWatchRules.shapes.Name.max);

/**
 * An alarm mute rule (PutAlarmMuteRule), modelled as one window: it mutes
 * its alarms' actions from `startsAt` for `durationMs`. That is a one-time
 * (`at(...)`) rule; a recurring (`cron(...)`) rule is one such window per
 * occurrence, which a test models by putting the window it needs.
 */
export interface MuteRuleSeed {
  readonly name: string;
  /** The alarms whose actions the rule mutes (MuteTargets.AlarmNames). */
  readonly alarmNames: readonly string[];
  /** Epoch ms the window opens. @default - now */
  readonly startsAt?: number;
  /** How long the window stays open. @default one hour */
  readonly durationMs?: number;
  /** @default - none */
  readonly description?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/** A mute rule as ListAlarmMuteRules and GetAlarmMuteRule report it at one moment. */
export interface MuteRuleView {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  readonly alarmNames: readonly string[];
  readonly startsAt: number;
  readonly expiresAt: number;
  readonly updatedAt: number;
  /**
   * SCHEDULED before the window, ACTIVE while it mutes, EXPIRED after
   * (GetAlarmMuteRule, CloudWatch API Reference: ACTIVE is "currently
   * muting alarm actions").
   */
  readonly status: MuteRuleStatus;
}

export interface AlarmSeed {
  readonly name: string;
  /** @default 'MetricAlarm' */
  readonly type?: AlarmType;
  /** @default 'INSUFFICIENT_DATA', the state CloudWatch gives a new alarm */
  readonly state?: AlarmStateValue;
  /** @default - a reason saying the alarm was seeded */
  readonly stateReason?: string;
  /** @default true */
  readonly actionsEnabled?: boolean;
  /** @default - none */
  readonly alarmActions?: readonly string[];
  /** @default - none */
  readonly okActions?: readonly string[];
  /** @default - none */
  readonly insufficientDataActions?: readonly string[];
  /** @default - none */
  readonly description?: string;
  /** The metric of a metric alarm. @default 'Errors' */
  readonly metricName?: string;
  /** @default 'Checkout' */
  readonly namespace?: string;
  /**
   * A composite alarm's AlarmRule, such as `ALARM("errors") OR ALARM(latency)`;
   * the alarms it names are its children (ChildrenOfAlarmName, ParentsOfAlarmName).
   * The composite's own state is set, not evaluated from the rule.
   * @default 'FALSE'
   */
  readonly alarmRule?: string;
  /**
   * A composite alarm's ActionsSuppressor: the name or ARN of the alarm whose
   * ALARM state suppresses the composite's actions.
   * @default - none
   */
  readonly actionsSuppressor?: string;
  /** ActionsSuppressorWaitPeriod in seconds. @default 0 (with a suppressor) */
  readonly actionsSuppressorWaitPeriod?: number;
  /** ActionsSuppressorExtensionPeriod in seconds. @default 0 (with a suppressor) */
  readonly actionsSuppressorExtensionPeriod?: number;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** @default 'us-east-1' */
  readonly region?: string;
}

/** A suppression set by hand on a composite alarm, in place of the one its suppressor gives. */
export interface Suppression {
  readonly by: ActionsSuppressedBy;
  /** @default - a reason naming `by` */
  readonly reason?: string;
}

/** What changes about an alarm at one moment; absent fields stay as they are. */
export interface AlarmChange {
  readonly state?: AlarmStateValue;
  /** @default - a reason naming the new state */
  readonly reason?: string;
  /** DisableAlarmActions (false) or EnableAlarmActions (true). */
  readonly actionsEnabled?: boolean;
  /** A composite alarm's suppression; `null` returns it to what its suppressor gives. */
  readonly suppression?: Suppression | null;
}

/** What an alarm is configured with: fixed once it is put. */
interface AlarmConfiguration {
  readonly name: string;
  readonly arn: string;
  readonly type: AlarmType;
  readonly configuredAt: number;
  readonly description?: string;
  readonly alarmActions: readonly string[];
  readonly okActions: readonly string[];
  readonly insufficientDataActions: readonly string[];
  readonly metricName: string;
  readonly namespace: string;
  readonly alarmRule: string;
  readonly actionsSuppressor?: string;
  readonly actionsSuppressorWaitPeriod?: number;
  readonly actionsSuppressorExtensionPeriod?: number;
}

interface AlarmRecord extends AlarmConfiguration {
  state: AlarmStateValue;
  stateReason: string;
  stateUpdatedAt: number;
  stateTransitionedAt: number;
  /** When the alarm last went from ALARM to another state: the start of a suppressor's extension period. */
  leftAlarmAt?: number;
  actionsEnabled: boolean;
  suppression?: Suppression;
}

/** An alarm as DescribeAlarms reports it at one moment (times in epoch ms). */
export interface AlarmView extends AlarmConfiguration {
  readonly state: AlarmStateValue;
  readonly stateReason: string;
  readonly stateUpdatedAt: number;
  readonly stateTransitionedAt: number;
  readonly actionsEnabled: boolean;
  /** Composite alarms only, while their actions are suppressed. */
  readonly actionsSuppressedBy?: ActionsSuppressedBy;
  readonly actionsSuppressedReason?: string;
}

/** DescribeAlarms' filters, by their model member names. */
export interface DescribeAlarmsFilter {
  readonly AlarmNames?: readonly string[];
  readonly AlarmNamePrefix?: string;
  readonly AlarmTypes?: readonly AlarmType[];
  readonly ChildrenOfAlarmName?: string;
  readonly ParentsOfAlarmName?: string;
  readonly StateValue?: AlarmStateValue;
  readonly ActionPrefix?: string;
}

/** One page of DescribeAlarms. */
export interface DescribeAlarmsPage {
  readonly alarms: AlarmView[];
  /** What the page may show of each alarm: all of it, or what the relation filters return. */
  readonly fields: 'all' | 'children' | 'parents';
  readonly nextToken?: string;
}

/**
 * The alarms an AlarmRule names: the argument of each ALARM(), OK() and
 * INSUFFICIENT_DATA() function, quoted or not, by name or by ARN (the
 * CloudWatch User Guide, "Creating a composite alarm", gives that syntax).
 */
export function alarmRuleReferences(rule: string): string[] {
  const names = [...rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\s*\(\s*(?:"([^"]*)"|([^)\s]+))\s*\)/g)]
    .map((match) => match[1] ?? match[2])
    .map((reference) => parseAlarmArn(reference)?.alarmName ?? reference);
  return [...new Set(names)];
}

const notFound = (name: string) => new ServiceError('ResourceNotFound', 404, `Alarm ${name} not found`);

/**
 * A constraint the model puts on an input member. CloudWatch answers these
 * with ValidationException, awsQuery code ValidationError (400): the model of
 * the pinned @aws-sdk/client-cloudwatch declares it so, and the CloudWatch API
 * Reference's "Common Errors" lists ValidationError. The wording is ours.
 */
export const validationError = (member: string, value: unknown, constraint: string) =>
  new ServiceError('ValidationException', 400,
    `1 validation error detected: Value ${JSON.stringify(value)} at '${member}' failed to satisfy constraint: ${constraint}`);

const combinationError = (message: string) => new ServiceError('InvalidParameterCombinationException', 400, message);

/**
 * The page size when MaxRecords (1..100 in the model) is absent. Neither the
 * model nor the DescribeAlarms API Reference states AWS's default; 50 is our
 * choice, and a caller that needs a size should send MaxRecords.
 */
export const DEFAULT_MAX_RECORDS = 50;

/**
 * The CloudWatch alarms of one emulated account and region. States change
 * when a test sets them or when a scheduled change's time comes on the
 * service clock; scheduled changes are applied lazily, at their own times,
 * before every read.
 */
export class CloudWatchState {
  private readonly alarms = new Map<string, AlarmRecord>();
  private readonly muteRules = new Map<string, MuteRuleView>();
  private readonly pending: { at: number; seq: number; name: string; change: AlarmChange }[] = [];
  private seq = 0;

  constructor(private readonly clock: VirtualClock) {}

  /** Service time in epoch milliseconds. */
  now(): number {
    return this.clock.now();
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** Creates alarms (PutMetricAlarm / PutCompositeAlarm / PutLogAlarm) and mute rules, replacing any of the same name. */
  seed(seed: { readonly alarms?: readonly AlarmSeed[]; readonly muteRules?: readonly MuteRuleSeed[] }): void {
    for (const alarm of seed.alarms ?? []) this.put(alarm);
    for (const rule of seed.muteRules ?? []) this.putMuteRule(rule);
  }

  /** PutAlarmMuteRule: creates or replaces a rule. */
  putMuteRule(seed: MuteRuleSeed): MuteRuleView {
    if (typeof seed.name !== 'string' || seed.name.length < 1 || [...seed.name].length > MAX_NAME_LENGTH) {
      throw validationError('name', seed.name, `Member must have length between 1 and ${MAX_NAME_LENGTH}`);
    }
    if (!Array.isArray(seed.alarmNames) || seed.alarmNames.length < 1 || seed.alarmNames.length > MAX_MUTE_TARGETS) {
      throw validationError('muteTargets.alarmNames', seed.alarmNames, `Member must be a list of 1 to ${MAX_MUTE_TARGETS} alarm names`);
    }
    const now = this.now();
    const startsAt = seed.startsAt ?? now;
    const durationMs = seed.durationMs ?? 3_600_000;
    const rule = {
      name: seed.name,
      arn: `arn:aws:cloudwatch:${seed.region ?? 'us-east-1'}:${seed.accountId ?? '123456789012'}:alarm-mute-rule:${seed.name}`,
      description: seed.description,
      alarmNames: [...seed.alarmNames],
      startsAt,
      expiresAt: startsAt + durationMs,
      updatedAt: now,
      status: 'SCHEDULED' as MuteRuleStatus,
    };
    this.muteRules.set(seed.name, rule);
    return this.muteRuleView(rule, now);
  }

  /**
   * DeleteAlarmMuteRule. The model lists no error for it (botocore cloudwatch
   * 2010-08-01), so a name that names no rule is answered like one that
   * does, the way DisableAlarmActions ignores unknown alarm names.
   */
  deleteMuteRule(name: string): void {
    this.muteRules.delete(name);
  }

  /** GetAlarmMuteRule. */
  getMuteRule(name: string): MuteRuleView {
    const rule = this.muteRules.get(name);
    // The model's error for GetAlarmMuteRule is ResourceNotFoundException
    // (code ResourceNotFoundException, 404), with the resource's type and id;
    // ResourceNotFound is the alarms' error.
    if (!rule) {
      throw new ServiceError('ResourceNotFoundException', 404, `Alarm mute rule ${name} not found`, { ResourceType: 'AlarmMuteRule', ResourceId: name });
    }
    return this.muteRuleView(rule, this.now());
  }

  /**
   * ListAlarmMuteRules: the rules that target `alarmName` (when given) and are
   * in one of `statuses` (when given), in name order, paged like DescribeAlarms.
   */
  listMuteRules(
    filter: { readonly alarmName?: string; readonly statuses?: readonly MuteRuleStatus[] },
    maxRecords: number,
    nextToken?: string,
  ): { rules: MuteRuleView[]; nextToken?: string } {
    const now = this.now();
    const matching = [...this.muteRules.values()].sort(byName).map((rule) => this.muteRuleView(rule, now))
      .filter((rule) => filter.alarmName === undefined || rule.alarmNames.includes(filter.alarmName))
      .filter((rule) => !filter.statuses || filter.statuses.length === 0 || filter.statuses.includes(rule.status));
    const page = pageByName(matching, filter, maxRecords, nextToken);
    return { rules: page.items, nextToken: page.nextToken };
  }

  /** Whether an active mute rule targets the alarm now. */
  mutedBy(alarmName: string): string[] {
    return this.listMuteRules({ alarmName, statuses: ['ACTIVE'] }, MAX_MUTE_TARGETS).rules.map((rule) => rule.name);
  }

  private muteRuleView(rule: MuteRuleView, now: number): MuteRuleView {
    const status: MuteRuleStatus = now < rule.startsAt ? 'SCHEDULED' : now < rule.expiresAt ? 'ACTIVE' : 'EXPIRED';
    return { ...rule, alarmNames: [...rule.alarmNames], status };
  }

  put(seed: AlarmSeed): AlarmView {
    // PutMetricAlarm: the name "can't contain ASCII control characters" (CloudWatch API Reference); the model has no pattern for it.
    if (typeof seed.name !== 'string' || seed.name.length < 1 || [...seed.name].length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(seed.name)) {
      throw new Error(`An alarm name must be 1 to ${MAX_NAME_LENGTH} characters without control characters, got ${JSON.stringify(seed.name)}`);
    }
    const type = seed.type ?? 'MetricAlarm';
    if (!ALARM_TYPES.includes(type)) {
      throw new Error(`Alarm ${seed.name}: type must be one of ${ALARM_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
    }
    if (type !== 'CompositeAlarm' && (seed.alarmRule !== undefined || seed.actionsSuppressor !== undefined)) {
      throw new Error(`Alarm ${seed.name}: alarmRule and actionsSuppressor belong to composite alarms; give type: 'CompositeAlarm'`);
    }
    const state = seed.state ?? 'INSUFFICIENT_DATA';
    this.requireState(state);
    const now = this.now();
    const record: AlarmRecord = {
      name: seed.name,
      arn: `arn:aws:cloudwatch:${seed.region ?? 'us-east-1'}:${seed.accountId ?? '123456789012'}:alarm:${seed.name}`,
      type,
      configuredAt: now,
      description: seed.description,
      alarmActions: [...seed.alarmActions ?? []],
      okActions: [...seed.okActions ?? []],
      insufficientDataActions: [...seed.insufficientDataActions ?? []],
      metricName: seed.metricName ?? 'Errors',
      namespace: seed.namespace ?? 'Checkout',
      alarmRule: seed.alarmRule ?? 'FALSE',
      ...(seed.actionsSuppressor !== undefined ? {
        actionsSuppressor: seed.actionsSuppressor,
        actionsSuppressorWaitPeriod: seed.actionsSuppressorWaitPeriod ?? 0,
        actionsSuppressorExtensionPeriod: seed.actionsSuppressorExtensionPeriod ?? 0,
      } : {}),
      state,
      stateReason: seed.stateReason ?? `Seeded in ${state}`,
      stateUpdatedAt: now,
      stateTransitionedAt: now,
      actionsEnabled: seed.actionsEnabled ?? true,
    };
    this.alarms.set(seed.name, record);
    return this.view(record, now);
  }

  /**
   * SetAlarmState: StateUpdatedTimestamp moves on every call,
   * StateTransitionedTimestamp only when the value changes (the model's
   * documentation of the two members).
   */
  setAlarmState(name: string, state: AlarmStateValue, reason?: string): AlarmView {
    return this.change(name, { state, reason });
  }

  /** DisableAlarmActions (`false`) or EnableAlarmActions (`true`) on each named alarm. */
  setActionsEnabled(names: readonly string[], enabled: boolean): void {
    this.settle();
    // The API Reference documents no error for an unknown name in either
    // operation; they change the alarms that exist and ignore the rest.
    for (const name of names) {
      const record = this.alarms.get(name);
      if (record) record.actionsEnabled = enabled;
    }
  }

  /** Sets or clears a composite alarm's suppression by hand. */
  suppress(name: string, suppression: Suppression | null): AlarmView {
    return this.change(name, { suppression });
  }

  /** Applies `change` now. */
  change(name: string, change: AlarmChange): AlarmView {
    this.settle();
    const record = this.record(name);
    const now = this.now();
    this.apply(record, change, now);
    return this.view(record, now);
  }

  /** Applies `change` when service time reaches `at` (epoch ms), or now if that has passed. */
  schedule(name: string, at: number, change: AlarmChange): void {
    this.record(name);
    if (change.state !== undefined) this.requireState(change.state);
    this.pending.push({ at, seq: this.seq++, name, change });
    this.pending.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  getAlarm(name: string): AlarmView {
    this.settle();
    return this.view(this.record(name), this.now());
  }

  listAlarms(): AlarmView[] {
    this.settle();
    const now = this.now();
    return [...this.alarms.values()].sort(byName).map((record) => this.view(record, now));
  }

  /**
   * DescribeAlarms, after the input has passed the model's constraints. The
   * alarms are returned in name order (AWS documents no order), metric and
   * composite alarms alike paged by `maxRecords` through one opaque token,
   * which names the last alarm returned and the filters it was issued for.
   */
  describeAlarms(filter: DescribeAlarmsFilter, maxRecords: number, nextToken?: string): DescribeAlarmsPage {
    this.settle();
    const now = this.now();
    const relation = filter.ChildrenOfAlarmName !== undefined || filter.ParentsOfAlarmName !== undefined;
    if (filter.AlarmNames !== undefined && filter.AlarmNamePrefix !== undefined) {
      throw combinationError('AlarmNamePrefix cannot be specified together with AlarmNames.');
    }
    if (relation) {
      const others = Object.entries(filter).filter(([key, value]) => value !== undefined && key !== 'ChildrenOfAlarmName' && key !== 'ParentsOfAlarmName');
      if (filter.ChildrenOfAlarmName !== undefined && filter.ParentsOfAlarmName !== undefined) {
        throw combinationError('ChildrenOfAlarmName and ParentsOfAlarmName cannot be specified together.');
      }
      if (others.length > 0) {
        throw combinationError(`With ChildrenOfAlarmName or ParentsOfAlarmName only MaxRecords and NextToken may be given, not ${others.map(([key]) => key).join(', ')}.`);
      }
    }

    const matching = [...this.alarms.values()].sort(byName).filter((record) => this.matches(record, filter));
    const page = pageByName(matching, filter, maxRecords, nextToken);
    return {
      alarms: page.items.map((record) => this.view(record, now)),
      fields: filter.ChildrenOfAlarmName !== undefined ? 'children' : filter.ParentsOfAlarmName !== undefined ? 'parents' : 'all',
      nextToken: page.nextToken,
    };
  }

  private matches(record: AlarmRecord, filter: DescribeAlarmsFilter): boolean {
    if (filter.ChildrenOfAlarmName !== undefined) {
      const parent = this.alarms.get(filter.ChildrenOfAlarmName);
      return parent?.type === 'CompositeAlarm' && alarmRuleReferences(parent.alarmRule).includes(record.name);
    }
    if (filter.ParentsOfAlarmName !== undefined) {
      return record.type === 'CompositeAlarm' && alarmRuleReferences(record.alarmRule).includes(filter.ParentsOfAlarmName);
    }
    // "If you omit this parameter, only metric alarms are returned" (DescribeAlarms, AlarmTypes).
    const types = filter.AlarmTypes && filter.AlarmTypes.length > 0 ? filter.AlarmTypes : ['MetricAlarm'];
    if (!types.includes(record.type)) return false;
    if (filter.AlarmNames !== undefined && !filter.AlarmNames.includes(record.name)) return false;
    if (filter.AlarmNamePrefix !== undefined && !record.name.startsWith(filter.AlarmNamePrefix)) return false;
    if (filter.StateValue !== undefined && record.state !== filter.StateValue) return false;
    if (filter.ActionPrefix !== undefined) {
      const prefix = filter.ActionPrefix;
      const actions = [...record.alarmActions, ...record.okActions, ...record.insufficientDataActions];
      if (!actions.some((action) => action.startsWith(prefix))) return false;
    }
    return true;
  }

  private requireState(state: unknown): asserts state is AlarmStateValue {
    if (!ALARM_STATES.includes(state as AlarmStateValue)) {
      throw validationError('stateValue', state, `Member must satisfy enum value set: [${ALARM_STATES.join(', ')}]`);
    }
  }

  private record(name: string): AlarmRecord {
    const record = this.alarms.get(name);
    if (!record) throw notFound(name);
    return record;
  }

  /** Applies every scheduled change whose time has come, each at its own time. */
  private settle(): void {
    const now = this.now();
    while (this.pending.length > 0 && this.pending[0].at <= now) {
      const { at, name, change } = this.pending.shift()!;
      const record = this.alarms.get(name);
      if (record) this.apply(record, change, at);
    }
  }

  private apply(record: AlarmRecord, change: AlarmChange, at: number): void {
    if (change.state !== undefined) {
      this.requireState(change.state);
      if (change.state !== record.state) {
        if (record.state === 'ALARM') record.leftAlarmAt = at;
        record.stateTransitionedAt = at;
      }
      record.state = change.state;
      record.stateReason = change.reason ?? `Set to ${change.state}`;
      record.stateUpdatedAt = at;
    }
    if (change.actionsEnabled !== undefined) record.actionsEnabled = change.actionsEnabled;
    if (change.suppression !== undefined) {
      if (record.type !== 'CompositeAlarm') {
        throw new Error(`Alarm ${record.name} is a metric alarm; only composite alarms have their actions suppressed`);
      }
      record.suppression = change.suppression ?? undefined;
    }
  }

  private view(record: AlarmRecord, now: number): AlarmView {
    const { leftAlarmAt: _leftAlarmAt, suppression: _suppression, ...fields } = record;
    const suppression = this.suppressionOf(record, now);
    return {
      ...fields,
      alarmActions: [...record.alarmActions],
      okActions: [...record.okActions],
      insufficientDataActions: [...record.insufficientDataActions],
      ...(suppression ? { actionsSuppressedBy: suppression.by, actionsSuppressedReason: suppression.reason } : {}),
    };
  }

  /**
   * A composite alarm's suppression while it is in ALARM, as the CloudWatch
   * User Guide's "Alarm suppression" describes it: suppressed while the
   * suppressor is in ALARM (`Alarm`); for up to the wait period after the
   * composite enters ALARM while the suppressor has not (`WaitPeriod`); and
   * for the extension period after the suppressor leaves ALARM
   * (`ExtensionPeriod`). One set by hand takes precedence.
   */
  private suppressionOf(record: AlarmRecord, now: number): Required<Suppression> | undefined {
    if (record.type !== 'CompositeAlarm') return undefined;
    if (record.suppression) {
      return { by: record.suppression.by, reason: record.suppression.reason ?? `Actions suppressed by ${record.suppression.by}` };
    }
    if (record.state !== 'ALARM' || record.actionsSuppressor === undefined) return undefined;
    const suppressorName = parseAlarmArn(record.actionsSuppressor)?.alarmName ?? record.actionsSuppressor;
    const suppressor = this.alarms.get(suppressorName);
    if (!suppressor) return undefined;
    const enteredAlarm = record.stateTransitionedAt;
    if (suppressor.state === 'ALARM') {
      return { by: 'Alarm', reason: `Alarm is in ALARM state because its suppressor ${suppressor.arn} is in ALARM` };
    }
    const extension = (record.actionsSuppressorExtensionPeriod ?? 0) * 1000;
    if (suppressor.leftAlarmAt !== undefined && suppressor.leftAlarmAt >= enteredAlarm && now < suppressor.leftAlarmAt + extension) {
      return { by: 'ExtensionPeriod', reason: `Suppressor ${suppressor.arn} left ALARM; actions stay suppressed for its extension period` };
    }
    const wait = (record.actionsSuppressorWaitPeriod ?? 0) * 1000;
    const suppressorAlarmedSince = suppressor.leftAlarmAt !== undefined && suppressor.leftAlarmAt >= enteredAlarm;
    if (!suppressorAlarmedSince && now < enteredAlarm + wait) {
      return { by: 'WaitPeriod', reason: `Waiting for suppressor ${suppressor.arn} to enter ALARM` };
    }
    return undefined;
  }
}

const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/**
 * One page of `sorted` (in name order) after the name `nextToken` ended on.
 * The token names the last item returned and the filters it was issued for,
 * so a page is stable when items are added or removed between calls, and a
 * token replayed with other filters is refused (InvalidNextToken).
 */
function pageByName<T extends { readonly name: string }>(
  sorted: readonly T[],
  filter: object,
  maxRecords: number,
  nextToken?: string,
): { items: T[]; nextToken?: string } {
  const fingerprint = JSON.stringify(filter);
  let start = 0;
  if (nextToken !== undefined) {
    const after = readToken(nextToken, fingerprint);
    start = sorted.findIndex((item) => item.name > after);
    if (start < 0) start = sorted.length;
  }
  const items = sorted.slice(start, start + maxRecords);
  const more = start + maxRecords < sorted.length;
  return { items, nextToken: more ? writeToken(items[items.length - 1].name, fingerprint) : undefined };
}

function writeToken(after: string, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ after, fingerprint })).toString('base64url');
}

/** The last name a token's page ended on; InvalidNextToken for a token we did not issue or issued for other filters. */
function readToken(token: string, fingerprint: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const fields = parsed as { after?: unknown; fingerprint?: unknown } | undefined;
  if (typeof fields?.after !== 'string' || fields.fingerprint !== fingerprint) {
    throw new ServiceError('InvalidNextToken', 400,
      'The NextToken is not one this service issued for these filters; repeat the request without NextToken, or with the filters the token came with.');
  }
  return fields.after;
}
