// Over 400 lines because jsii publishes the construct's public methods from
// its class, and their API documentation (the ten metric*() methods above all)
// lives on them: under 300 lines are code, and that code is wiring. The
// pieces it wires are in alarm-state/, monitoring/, forwarding/, targets/ and
// private/ (docs/layout.md).
import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AddTargetOptions, AlarmRollbackProps } from './alarm-rollback-props';
import { AlarmRollbackTarget } from './alarm-rollback-target';
import { AlarmStateCheck } from './alarm-state/alarm-state-check';
import { AlarmReadFailure, AlarmStateCheckResult, AlarmStateValue, RollbackOutcome, RollbackTrigger, Rules, TargetKindName } from './contract';
import { checkAlarmLocations, ResolvedAlarmSource, resolveAlarmSources } from './forwarding/alarm-locations';
import { addBusPolicy } from './forwarding/bus-policy';
import { OwnAlarmForwarding } from './forwarding/own-alarm-forwarding';
import { AlarmWatcher, busNameOf, registerWatcher, WatchedRule } from './forwarding/watched-alarms';
import { RollbackDashboardBuilder, RollbackDashboardOptions } from './monitoring/rollback-dashboard';
import { RollbackMetricFactory } from './monitoring/rollback-metrics';
import { createAlarmStateWatchers, createWatcherAlarms } from './monitoring/watcher-alarms';
import { grantDescribeAlarms } from './private/describe-alarms-grant';
import { resolveArchitecture, resolveRuntime } from './private/function-runtime';
import { createLedgerTable } from './private/ledger';
import { RollbackBus } from './private/rollback-bus';
import { createRollbackHandler } from './private/rollback-handler';
import { resolveLedgerRetentionDays, resolveMaxEventAge, resolveReservedConcurrency, resolveRetryAttempts } from './private/rollback-props';
import { RuleDelivery } from './private/rule-delivery';
import { checkStackOutputs, checkStackResources, checkTemplateSize } from './private/stack-resources';
import { resolveAlarmArns, resolveAlarmTags } from './private/target-alarms';
import { TargetGrants } from './private/target-grants';
import { describeDuration, describeValue, validationError } from './private/validate';
import { BakeGateProvider } from './targets/cloudformation-stack/bake-gate';
import { BakeGates } from './targets/target-definition';
import { TriggerOn } from './trigger-on';

const DEAD_LETTER_RETENTION = Duration.days(14);

/**
 * Stops AWS AppConfig deployments and cancels AWS Proton environment
 * deployments when a CloudWatch alarm enters `ALARM`, and records every
 * decision in a DynamoDB ledger, a log line, an embedded metric and,
 * optionally, an SNS message.
 *
 * One handler function serves every target; each `addTarget` adds an
 * EventBridge rule on the default bus (or on `eventBus`) that matches
 * exactly that target's alarms entering `ALARM` (several rules when the
 * alarms outgrow one rule's event pattern). Alarms of other accounts and
 * Regions reach the bus through an `AlarmEventForwarder` there, once
 * `alarmSources` lets them in. The handler's permission to be invoked and the dead-letter
 * queue's policy each hold one statement for all rules, and the target
 * grants are packed into IAM policies sized to IAM's quotas, so a stack
 * with a few hundred targets deploys.
 *
 * An alarm already firing when a deployment starts sends no event, so the
 * alarms' current state is checked too (`alarmStateChecks`): AppConfig's
 * extension asks a second function when a deployment starts and at every
 * tick of its rollout and bake, and a Proton deployment going `IN_PROGRESS`
 * is checked through a rule on its status change.
 *
 * @example
 * declare const environment: appconfig.IEnvironment;
 * declare const errorAlarm: cloudwatch.IAlarm;
 * const rollback = new AlarmRollback(this, 'Rollback');
 * rollback.addTarget('ConfigRollout', {
 *   alarms: [errorAlarm],
 *   target: RollbackTarget.appConfig({ environment }),
 * });
 */
export class AlarmRollback extends Construct implements AlarmWatcher {
  /** The function that decides and acts on every alarm event. */
  public readonly handler: lambda.IFunction;

  /** The table every decision is recorded in. */
  public readonly ledger: dynamodb.ITable;

  /**
   * The queue of events that could not be handled: events EventBridge could
   * not deliver, and events whose handling still failed after the function's
   * asynchronous retries. Encrypted, TLS only, kept 14 days.
   */
  public readonly deadLetterQueue: sqs.IQueue;

  /**
   * The alarms that watch the rollback itself (handler errors, handler
   * throttles, dead-lettered events, and the alarm-state check's errors and
   * throttles). They carry the actions of `alarmActions`; without it, add
   * actions to them, or no one hears of a failing rollback. Empty when
   * `monitoring` is false.
   */
  public readonly alarms: cloudwatch.Alarm[];

  /**
   * The name of this rollback in metrics, logs and ledger records: its
   * construct path. It is the value of the `Rollback` metric dimension.
   */
  public readonly rollbackName: string;

  /**
   * Every rule this AlarmRollback creates is named with this prefix, and no
   * rule of another AlarmRollback is. The handler's invoke permission and the
   * dead-letter queue's policy allow exactly the rules
   * `arn:<partition>:events:<region>:<account>:rule/<prefix>*` on the default
   * bus, and `rule/<bus name>/<prefix>*` on a custom `eventBus`. The bus
   * policy's statement IDs start with it too.
   */
  public readonly ruleNamePrefix: string;

  /**
   * The function AppConfig's extension calls when a deployment starts and
   * at every tick of a rollout and its bake. Undefined when
   * `alarmStateChecks` is false.
   */
  public readonly alarmStateFunction?: lambda.IFunction;

  private readonly function: lambda.Function;
  private readonly stateCheck?: AlarmStateCheck;
  private readonly metrics: RollbackMetricFactory;
  private readonly triggerOn: TriggerOn;
  private readonly actOnPausedAlarms: boolean;
  private readonly delivery: RuleDelivery;
  private readonly bus: RollbackBus;
  private readonly alarmSources: ResolvedAlarmSource[];
  private readonly alarmsForwardedElsewhere: boolean;
  private readonly ownAlarmForwarding?: OwnAlarmForwarding;
  private readonly grants: TargetGrants;
  private readonly targets: AlarmRollbackTarget[] = [];
  /** Each target's kind, which the dashboard draws by. */
  private readonly targetKinds = new Map<AlarmRollbackTarget, TargetKindName>();
  private readonly watched: WatchedRule[] = [];
  private readonly busName?: string;
  private readonly dashboards: RollbackDashboardBuilder[] = [];
  private readonly bakeGates: BakeGates;

  constructor(scope: Construct, id: string, props: AlarmRollbackProps = {}) {
    super(scope, id);

    this.rollbackName = this.node.path;
    this.bus = RollbackBus.of(this, props.eventBus);
    this.busName = this.bus.isDefault ? 'default' : busNameOf(props.eventBus);
    registerWatcher(this);
    this.alarmSources = resolveAlarmSources(this, props.alarmSources ?? []);
    this.alarmsForwardedElsewhere = props.alarmsForwardedElsewhere ?? false;
    const ledgerRetentionDays = resolveLedgerRetentionDays(this, props.ledgerRetention);
    const retryAttempts = resolveRetryAttempts(this, props.retryAttempts);
    const maxEventAge = resolveMaxEventAge(this, props.maxEventAge);
    const reservedConcurrency = resolveReservedConcurrency(this, props.reservedConcurrency);
    const runtime = resolveRuntime(this, props.runtime);
    const architecture = resolveArchitecture(this, props.architecture);
    if (props.ledger && props.removalPolicy !== undefined) {
      Annotations.of(this).addWarningV2('cdk-alarm-rollback:removalPolicyIgnored',
        'removalPolicy applies only to the ledger table AlarmRollback creates; it is ignored because ledger was given.');
    }

    if (props.ledger && props.encryptionKey) {
      Annotations.of(this).addWarningV2('cdk-alarm-rollback:encryptionKeyNotOnLedger',
        'encryptionKey encrypts the ledger table only when AlarmRollback creates it; the ledger you gave keeps its own encryption.');
    }

    const key = props.encryptionKey;
    this.ledger = props.ledger ?? createLedgerTable(this, props.removalPolicy ?? RemovalPolicy.RETAIN, key);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', key
      ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: key, enforceSSL: true, retentionPeriod: DEAD_LETTER_RETENTION }
      : { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: DEAD_LETTER_RETENTION });

    const { handler, environment, logGroupProps } = createRollbackHandler(this, {
      props,
      rollbackName: this.rollbackName,
      ledger: this.ledger,
      deadLetterQueue: this.deadLetterQueue,
      ledgerRetentionDays,
      runtime,
      architecture,
      reservedConcurrency,
    });
    this.function = handler;
    this.handler = handler;
    this.metrics = new RollbackMetricFactory({
      owner: this,
      rollbackName: this.rollbackName,
      handler,
      deadLetterQueue: this.deadLetterQueue,
      checkFunction: () => this.stateCheck?.function,
    });

    this.delivery = new RuleDelivery(this, {
      handler: this.function,
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts,
      maxEventAge,
      bus: this.bus,
    });
    this.ruleNamePrefix = this.delivery.namePrefix;
    addBusPolicy(this, this.bus, this.alarmSources, this.ruleNamePrefix);
    if (!this.bus.isDefault) {
      this.ownAlarmForwarding = new OwnAlarmForwarding(this, this.bus, this.delivery, this.deadLetterQueue);
    }
    this.grants = new TargetGrants(this, this.function);

    this.node.addValidation({
      validate: () => [...checkStackResources(this), ...checkStackOutputs(this), ...checkTemplateSize(this, this.dashboards.length)],
    });
    let bakeGateProvider: BakeGateProvider | undefined;
    this.bakeGates = {
      // Made on the first target with a bake, and shared by all of them: the gate's resources count once per AlarmRollback.
      provider: () => (bakeGateProvider ??= new BakeGateProvider(this, 'BakeGate', {
        rollbackName: this.rollbackName,
        runtime,
        architecture,
        logGroupProps,
        encryptionKey: key,
        handlerEnvironment: environment,
        ledger: this.ledger,
        notificationTopic: props.notificationTopic,
      })),
      alarmReadFailure: props.alarmReadFailure ?? AlarmReadFailure.ROLL_BACK,
    };
    this.triggerOn = props.triggerOn ?? TriggerOn.ALARM;
    this.actOnPausedAlarms = props.actOnPausedAlarms ?? false;
    grantDescribeAlarms(this.function);

    const monitoring = props.monitoring ?? true;
    this.alarms = monitoring
      ? createWatcherAlarms(this, this.rollbackName, {
        errors: this.metricHandlerErrors({ period: Duration.minutes(1) }),
        throttles: this.metricHandlerThrottles({ period: Duration.minutes(1) }),
        deadLettered: this.metricDeadLettered({ period: Duration.minutes(1) }),
      })
      : [];

    if (props.alarmStateChecks ?? true) {
      this.stateCheck = new AlarmStateCheck(this, {
        rollbackName: this.rollbackName,
        runtime,
        architecture,
        reservedConcurrency: resolveReservedConcurrency(this, props.alarmStateReservedConcurrency, 'alarmStateReservedConcurrency'),
        logGroupProps,
        encryptionKey: key,
        handlerEnvironment: environment,
        alarmReadFailure: props.alarmReadFailure,
        ledger: this.ledger,
        notificationTopic: props.notificationTopic,
        delivery: this.delivery,
      });
      this.alarmStateFunction = this.stateCheck.function;
      if (monitoring) {
        this.alarms.push(...createAlarmStateWatchers(this, this.rollbackName, {
          errors: this.metricAlarmStateErrors({ period: Duration.minutes(1) }),
          throttles: this.metricAlarmStateThrottles({ period: Duration.minutes(1) }),
          faults: this.metricAlarmStateFaults({ period: Duration.minutes(1) }),
          missingAlarms: this.metrics.alarmStateMissing(Duration.minutes(5)),
        }));
      }
    }
    if (props.alarmActions) {
      for (const alarm of this.alarms) {
        alarm.addAlarmAction(...props.alarmActions);
      }
    }
  }

  /**
   * The AppConfig extension whose action calls the alarm-state check at
   * AT_DEPLOYMENT_TICK. Created with the first AppConfig target; undefined
   * before, and when `alarmStateChecks` is false. The check at
   * PRE_START_DEPLOYMENT is a second extension (the start gate), associated
   * only with the environments of targets that set
   * `blockDeploymentsWhileAlarming`.
   */
  public get extension(): appconfig.IExtension | undefined {
    return this.stateCheck?.extension?.extension;
  }

  /**
   * The EventBridge rules of every target, in the order the targets were
   * added: one per target, or several for a target whose alarms outgrow one
   * rule, and after them the rules on a target's deployments starting (a
   * Proton target's, a stack target's with `blockDeploymentsWhileAlarming`).
   */
  public get rules(): events.IRule[] {
    return this.delivery.all;
  }

  /**
   * Rolls `options.target` back when any of `options.alarms`, or any alarm
   * tagged with `options.alarmTags`, enters `ALARM`.
   *
   * Adds an EventBridge rule on the rollback's bus that matches exactly these
   * alarms' state changes to `ALARM`, and sends the handler the original
   * event together with the target's identifiers. When the alarms outgrow
   * one rule (EventBridge's default event pattern quota is 2,048 characters,
   * about 15 alarm ARNs), they are spread over several rules, each sending
   * only its own alarms' ARNs. With `options.alarmTags`, one more rule
   * matches the state changes of every alarm whose event carries those
   * tags. The target is named
   * `<construct path of this AlarmRollback>/<id>` in the ledger and metrics.
   * An alarm in an account or Region that no `alarmSources` entry covers
   * fails synth (or warns, with `alarmsForwardedElsewhere`). With a custom
   * `eventBus`, rules on the default bus forward this stack's own alarms to
   * it; they are not among the returned rules.
   *
   * @param id a name for the target, unique within this AlarmRollback
   * @param options the alarms and the target
   * With `alarmStateChecks` on, an AppConfig target's environment is
   * associated with the alarm-state extension, a Proton target gets a rule
   * on its environment's deployments starting, and a stack target with
   * `blockDeploymentsWhileAlarming` a rule on its stack's updates starting.
   *
   * @returns the target: its rules (one, or several for many alarms, and a target's start rules), its name and its outcome metric
   */
  public addTarget(id: string, options: AddTargetOptions): AlarmRollbackTarget {
    if (this.node.tryFindChild(id)) {
      throw validationError(this,
        `addTarget id ${describeValue(id)} is already used in this AlarmRollback`,
        'Give every addTarget call its own id; the id names the target in the ledger and metrics');
    }
    const scope = new AlarmRollbackTarget(this, id);
    const name = scope.node.path;
    if (!Rules.TARGET_NAME.test(name)) {
      throw validationError(scope,
        `the target name ${describeValue(name)} is not ${Rules.TARGET_NAME.says}`,
        'Use a shorter addTarget id without control characters or leading or trailing spaces');
    }
    const alarmArns = resolveAlarmArns(scope, options.alarms ?? []);
    const alarmTags = resolveAlarmTags(scope, options.alarmTags);
    if (alarmArns.length === 0 && alarmTags === undefined) {
      throw validationError(scope,
        'addTarget was given no alarms and no alarmTags, so nothing would ever roll this target back',
        'Pass at least one cloudwatch.IAlarm in alarms, or alarmTags such as { rollback: \'checkout\' } for alarms with tag propagation on (AlarmTagPropagation.enable), or both');
    }
    const triggerOn = options.triggerOn ?? this.triggerOn;
    const triggerStates: string[] = triggerOn === TriggerOn.ALARM_OR_INSUFFICIENT_DATA
      ? [AlarmStateValue.ALARM, AlarmStateValue.INSUFFICIENT_DATA]
      : [AlarmStateValue.ALARM];
    const stateChecks = this.stateCheck?.forTarget(scope, id, options.alarms ?? [], alarmArns, this.ruleNamePrefix);
    const target = options.target._bind(scope, {
      name,
      alarmArns,
      alarmTags,
      triggerStates,
      actOnPausedAlarms: options.actOnPausedAlarms ?? this.actOnPausedAlarms,
      grant: (actions, arns) => this.grants.grant(scope, actions, arns),
      stateChecks: stateChecks?.checks,
      bakeGates: this.bakeGates,
    });
    if (alarmTags && this.stateCheck) {
      Annotations.of(scope).addWarningV2('cdk-alarm-rollback:alarmTagsNotChecked',
        `the alarms this target matches by alarmTags (${Object.entries(alarmTags).map(([key, value]) => `${key}=${value}`).join(', ')}) are not read by the alarm-state check: `
        + 'one already firing when a deployment starts, or while it rolls out, stops nothing until its state changes again. '
        + 'List the alarms that must block or stop a deployment in alarms, too.');
    }
    const watched = alarmTags ? { ...target, alarmTags } : target;
    checkAlarmLocations(scope, options.alarms ?? [],
      { sources: this.alarmSources, forwardedElsewhere: this.alarmsForwardedElsewhere, busDescription: this.bus.description });
    const rules = this.delivery.addRules(scope, id, watched);
    this.ownAlarmForwarding?.forward(scope, id, watched);
    // Added after the alarm rules, so a target's rules keep their order.
    const startRules = stateChecks?.addStartRules() ?? [];
    rules.push(...startRules);
    this.recordWatched(watched.alarmArns, alarmTags, triggerStates, startRules.length > 0);
    scope._attach(rules, this.metrics);
    this.targets.push(scope);
    this.targetKinds.set(scope, target.kind);
    for (const dashboard of this.dashboards) {
      dashboard.addTarget(id, target.kind);
    }
    return scope;
  }

  /**
   * What this rollback's rules to its handler watch, for the forwarders of
   * the app (`AlarmEventForwarder` checks that it forwards nothing unwatched).
   *
   * @internal
   */
  public _watchedRules(): WatchedRule[] {
    return [...this.watched];
  }

  private recordWatched(alarmArns: string[], alarmTags: Record<string, string> | undefined, triggerStates: string[], startRules: boolean): void {
    if (alarmArns.length > 0) this.watched.push({ busName: this.busName, alarmArns, triggerStates });
    if (alarmTags) this.watched.push({ busName: this.busName, alarmArns: [], alarmTags, triggerStates });
    // Start rules match a deployment starting, on the default bus where AWS services' events arrive.
    if (startRules) this.watched.push({ busName: 'default', alarmArns: [], triggerStates: [] });
  }

  /**
   * Adds a CloudWatch dashboard of this rollback: alarm-to-action latency
   * (p50, p90, max), failures and dead-lettered events, errors and throttles
   * of the handler and the alarm-state check, the alarm-state checks by
   * result, and a graph of outcomes for every target, also for targets added
   * later. Every graph is drawn from this construct's `metric*` methods.
   *
   * @param id the dashboard's construct id, unique within this AlarmRollback
   * @param options the dashboard's name and period
   */
  public addDashboard(id: string = 'Dashboard', options: RollbackDashboardOptions = {}): cloudwatch.Dashboard {
    if (this.node.tryFindChild(id)) {
      throw validationError(this,
        `addDashboard id ${describeValue(id)} is already used in this AlarmRollback`,
        'Give every addDashboard call its own id');
    }
    if (options.period !== undefined && (options.period.isUnresolved() || options.period.toSeconds() < 60 || options.period.toSeconds() % 60 !== 0)) {
      throw validationError(this,
        `the dashboard period is ${options.period.isUnresolved() ? 'a token' : describeDuration(options.period)}; the handler's metrics are standard resolution, so a period is a whole number of minutes`,
        'Use Duration.minutes(n) with n >= 1, or leave it out for 5 minutes');
    }
    const builder = new RollbackDashboardBuilder(this, id, this, this.rollbackName, this.stateCheck !== undefined, options);
    for (const target of this.targets) {
      builder.addTarget(target.node.id, this.targetKinds.get(target)!);
    }
    this.dashboards.push(builder);
    return builder.dashboard;
  }

  /**
   * The number of alarm-state checks with one result (`OK`, `FIRING`,
   * `UNREADABLE`, `NOT_CHECKED`, `REJECTED`) and trigger
   * (`DEPLOYMENT_TICK`, `DEPLOYMENT_START`), over all targets of this
   * rollback (dimensions `Rollback`, `Trigger` and `Result`). Checks that
   * find every alarm quiet write no ledger record: this metric is their
   * only trace.
   *
   * @param result the check result to count
   * @param trigger `RollbackTrigger.DEPLOYMENT_TICK` or `RollbackTrigger.DEPLOYMENT_START`
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricAlarmStateChecks(result: AlarmStateCheckResult, trigger: RollbackTrigger, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.alarmStateChecks(result, trigger, props);
  }

  /**
   * Grants read access to the ledger (GetItem, Query, Scan and friends, on
   * the table and its indexes), for dashboards, audits or tooling.
   *
   * @param grantee who may read the ledger
   */
  public grantReadLedger(grantee: iam.IGrantable): iam.Grant {
    return this.ledger.grantReadData(grantee);
  }

  /**
   * The number of decisions with one outcome, summed over all targets of
   * this rollback (dimensions `Rollback` and `Outcome`).
   *
   * @param outcome the outcome to count
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricOutcome(outcome: RollbackOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.outcome(outcome, props);
  }

  /**
   * The number of decisions for one target with one outcome (dimensions
   * `Rollback`, `Target` and `Outcome`).
   *
   * @param targetId the id the target was given in `addTarget`
   * @param outcome the outcome to count
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricTargetOutcome(targetId: string, outcome: RollbackOutcome, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.targetOutcome(`${this.node.path}/${targetId}`, outcome, props);
  }

  /**
   * The number of `FAILED` decisions: an AWS call failed after the SDK's
   * retries (the event is retried, then dead-lettered).
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.outcome(RollbackOutcome.FAILED, props);
  }

  /**
   * Milliseconds from an alarm's state change to the completed stop or
   * cancel call, over all targets of this rollback (dimension `Rollback`).
   *
   * The default statistic is the 90th percentile (p90): it shows how fast
   * rollbacks usually are without one slow retry dominating; use
   * `{ statistic: 'Maximum' }` to see the slowest.
   *
   * @param props to override the defaults (statistic p90, period 5 minutes)
   */
  public metricAlarmToActionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.alarmToActionLatency(props);
  }

  /**
   * Invocations of the handler that ended in an error (the Lambda `Errors`
   * metric of the handler function).
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerErrors(props);
  }

  /**
   * Invocations of the handler that Lambda throttled (the Lambda `Throttles`
   * metric of the handler function); EventBridge and Lambda retry them.
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricHandlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.handlerThrottles(props);
  }

  /**
   * Alarm events waiting in the dead-letter queue: the queue's
   * `ApproximateNumberOfMessagesVisible`. Each is an event that rolled
   * nothing back.
   *
   * @param props to override the defaults (statistic Maximum, period 5 minutes)
   */
  public metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.deadLettered(props);
  }

  /**
   * Invocations of the alarm-state check that crashed or timed out (its
   * Lambda `Errors`). An answer that rolls back is not an error.
   * Fails when `alarmStateChecks` is false.
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricAlarmStateErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.alarmStateErrors(props);
  }

  /**
   * Invocations of the alarm-state check that Lambda throttled (its Lambda
   * `Throttles`). Fails when `alarmStateChecks` is false.
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricAlarmStateThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.alarmStateThrottles(props);
  }

  /**
   * Alarm-state checks that failed on their own side and so let the
   * deployment go on unchecked (metric `AlarmStateFaultCount`, dimension
   * `Rollback`): a payload or association the check could not read, one
   * naming another environment, an exception, or no decision by the answer
   * deadline. Each also has an ERROR log line and a REJECTED ledger record.
   * Fails when `alarmStateChecks` is false.
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricAlarmStateFaults(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metrics.alarmStateFaults(props);
  }
}
