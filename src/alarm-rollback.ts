import { Annotations, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmSource } from './alarm-source';
import { AlarmReadFailure, AlarmStateTargetParameter, AlarmStateValue, AlarmStateCheckResult, CHECKED_ALARM_TYPES, HandlerEnv, Metrics, parseAlarmArn, Rules, TargetInput, RollbackTrigger, RollbackOutcome } from './contract';
import { checkAlarmLocations, isInStackEnvironment, ResolvedAlarmSource, resolveAlarmSources } from './private/alarm-locations';
import { AlarmStateExtension } from './private/alarm-state-extension';
import { ALARM_READ_BUDGET, ALARM_STATE_TIMEOUT, AlarmStateFunction } from './private/alarm-state-function';
import { addBusPolicy } from './private/bus-policy';
import { allowLogsToUseKey, grantEnvironmentDecrypt } from './private/encryption';
import { resolveArchitecture, resolveRuntime } from './private/function-runtime';
import { createLedgerTable, grantLedgerAccess } from './private/ledger';
import { createAlarmStateWatchers, createWatcherAlarms } from './private/monitoring';
import { OwnAlarmForwarding } from './private/own-alarm-forwarding';
import { RollbackBus } from './private/rollback-bus';
import { RollbackFunction } from './private/rollback-function';
import { resolveLedgerRetentionDays, resolveMaxEventAge, resolveNotifyOn, resolveReservedConcurrency, resolveRetryAttempts } from './private/rollback-props';
import { RuleDelivery } from './private/rule-delivery';
import { checkStackOutputs, checkStackResources, checkTemplateSize } from './private/stack-resources';
import { resolveAlarmArns, resolveAlarmTags, uncheckedAlarmKinds } from './private/target-alarms';
import { TargetGrants } from './private/target-grants';
import { describeDuration, describeValue, validationError } from './private/validate';
import { RollbackDashboardBuilder, RollbackDashboardOptions } from './rollback-dashboard';
import { RollbackTarget } from './rollback-target';
import { TriggerOn } from './trigger-on';

const HANDLER_TIMEOUT = Duration.seconds(30);
const HANDLER_MEMORY_MB = 256;
const ASYNC_RETRY_ATTEMPTS = 2;
const ASYNC_MAX_EVENT_AGE = Duration.hours(6);
const DEAD_LETTER_RETENTION = Duration.days(14);

/** Properties of an `AlarmRollback`. Every property is optional. */
export interface AlarmRollbackProps {
  /**
   * The DynamoDB table the handler records every decision in.
   *
   * A table you bring must have the ledger's key schema: partition key `pk`
   * (String), sort key `sk` (String), TTL on `expiresAt`, and a global
   * secondary index `byOutcome` with partition key `outcome` (String) and
   * sort key `recordedAt` (String). The handler is granted
   * `dynamodb:PutItem`, `DeleteItem` and `GetItem` on it (and use of its KMS
   * key, if it has one).
   *
   * @default - a new table: on-demand, point-in-time recovery, AWS-managed encryption, retained on stack deletion
   */
  readonly ledger?: dynamodb.ITable;

  /**
   * How long a ledger record is kept before DynamoDB's TTL deletes it. A
   * whole number of days, at least one.
   *
   * @default Duration.days(90)
   */
  readonly ledgerRetention?: Duration;

  /**
   * An SNS topic that receives one message per decision. The handler is
   * granted `sns:Publish` on it (and use of its KMS key, if it has one).
   *
   * @default - no notifications
   */
  readonly notificationTopic?: sns.ITopic;

  /**
   * The outcomes that are published to `notificationTopic`. Every outcome is
   * still recorded in the ledger, the log and the metrics; the message's
   * `outcome` attribute stays, for subscription filters. `DEPLOYMENT_BLOCKED`
   * is in the default: a refused start leaves a release waiting until
   * someone looks at the alarm and starts the deployment again.
   *
   * @default - ROLLED_BACK, REVERTED, CANCEL_REQUESTED, FAILED, DEPLOYMENT_BLOCKED and DRY_RUN
   */
  readonly notifyOn?: RollbackOutcome[];

  /**
   * Decide and record, but call no stop or cancel API. Outcomes are recorded
   * as `DRY_RUN` with the call that would have been made.
   *
   * @default false
   */
  readonly dryRun?: boolean;

  /**
   * How long the log groups of the two functions (the rollback handler's and
   * the alarm-state check's) keep their logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the log groups of the two functions when they are
   * removed from the stack (or the stack is deleted). The logs are the
   * record of what the rollback did and why, so they are kept by default.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * A customer managed KMS key that encrypts, at rest, the ledger table this
   * construct creates, the dead-letter queue, the log groups of both
   * functions and both functions' environment variables.
   *
   * The functions are granted the use of the key they need (decrypting their
   * environment, reading and writing the ledger, sending to the dead-letter
   * queue). For a key defined in this app, the key policy is given the two
   * statements AWS services need: CloudWatch Logs (`logs.<region>.amazonaws.com`,
   * for the log groups of this account and Region) and EventBridge
   * (`events.amazonaws.com`, `kms:GenerateDataKey` and `kms:Decrypt`, to put
   * undeliverable events in the dead-letter queue). For an imported key
   * (`kms.Key.fromKeyArn`), whose policy cannot be changed here, synth warns
   * with the statements to add; the key policy must also let this account's
   * IAM policies grant its use. A `ledger` you bring keeps its own
   * encryption.
   *
   * @default - AWS-managed or AWS-owned keys: the ledger with the AWS managed key for DynamoDB, the dead-letter queue with SSE-SQS, the log groups and environment variables with CloudWatch Logs' and Lambda's own keys
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * How many times EventBridge retries delivering an alarm event to the
   * handler before it sends the event to the dead-letter queue (0 to 185).
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * How long EventBridge keeps trying to deliver an alarm event to the
   * handler: 1 minute to 24 hours, in whole seconds (EventBridge's retry
   * policy accepts nothing else). A rollback that arrives much later than its
   * alarm is seldom wanted, so the default is short.
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * Concurrent executions reserved for the handler, a whole number of at
   * least 1.
   *
   * Reserved concurrency both guarantees and caps: when an incident makes
   * other functions of the account use up its concurrency, Lambda throttles
   * them and not the handler, so rollbacks still run; and the handler never
   * runs more than this many at once (events beyond it are throttled and
   * retried). Lambda keeps 100 of the account's concurrency unreserved, so an
   * account with a low concurrency quota cannot reserve any: that is why it is
   * off by default.
   *
   * @default - no reserved concurrency: the handler shares the account's unreserved concurrency
   */
  readonly reservedConcurrency?: number;

  /**
   * The Lambda runtime of both functions (the rollback handler and the
   * alarm-state check): a Node.js runtime the handler's tests run on,
   * `lambda.Runtime.NODEJS_22_X` or `lambda.Runtime.NODEJS_24_X`; any other
   * fails synth with the list. Node.js 24 is the default because Lambda
   * deprecates nodejs22.x on 2027-04-30 (Lambda Developer Guide, "Lambda
   * runtimes"), nodejs24.x is available in every Region (aws-cdk-lib's
   * `Runtime.NODEJS_LATEST`, which names the newest runtime of every Region,
   * has been nodejs24.x since 2.259.0), and the bundled handler's wire tests
   * run on Node.js 24 as on 22. The runtime is pinned, so templates do not
   * change with the date or the Region.
   *
   * @default lambda.Runtime.NODEJS_24_X
   */
  readonly runtime?: lambda.Runtime;

  /**
   * The instruction set of both functions: `lambda.Architecture.X86_64` or
   * `lambda.Architecture.ARM_64`. x86_64 is the default because every test
   * of the handler runs on it and it is offered wherever Lambda is; arm64's
   * duration price is 20% lower (AWS News Blog, "AWS Lambda Functions
   * Powered by AWS Graviton2 Processor"), which on functions that run well
   * under a second per alarm event or deployment tick is little money. The
   * asset is plain JavaScript with no native code, so either runs it.
   *
   * @default lambda.Architecture.X86_64
   */
  readonly architecture?: lambda.Architecture;

  /**
   * Create CloudWatch alarms that watch the rollback itself: handler errors,
   * handler throttles and messages in the dead-letter queue (and the
   * alarm-state check's errors and throttles). They are exposed as `alarms`;
   * without `alarmActions` they tell no one until you add actions to them.
   *
   * @default true
   */
  readonly monitoring?: boolean;

  /**
   * Actions added to every alarm in `alarms` (the watchers of the handler,
   * the dead-letter queue and the alarm-state check), such as
   * `new actions.SnsAction(topic)`. Ignored when `monitoring` is false.
   *
   * @default - none: route `alarms` yourself
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * What happens to the ledger table this construct creates when it is
   * removed from the stack. Ignored when you bring `ledger`.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Which alarm states roll a target back, for every target that does not
   * choose for itself: the rules, the deployment tick check and the
   * deployment start check apply it alike.
   *
   * @default TriggerOn.ALARM
   */
  readonly triggerOn?: TriggerOn;

  /**
   * Act on alarms whose actions are paused, too: a metric or composite alarm
   * whose actions are disabled (`DisableAlarmActions`), or a composite alarm
   * whose actions are suppressed. By default a paused alarm rolls nothing
   * back and blocks no start, as AppConfig's own alarm monitors do; the
   * decision is recorded as `IGNORED` with the reason. A target can choose
   * for itself.
   *
   * @default false
   */
  readonly actOnPausedAlarms?: boolean;

  /**
   * Check the alarms' current state when a deployment starts and while it
   * runs, not only when an alarm changes state: an alarm already firing
   * when a deployment starts sends no event. Creates the alarm-state check
   * function, one AppConfig extension (once there is an AppConfig target)
   * with an association per AppConfig target environment, and a rule per
   * Proton target on its deployments starting. False leaves all of them
   * out: only alarm events act.
   *
   * @default true
   */
  readonly alarmStateChecks?: boolean;

  /**
   * What the alarm-state check answers when it cannot read the alarms
   * (throttled, denied, unavailable, or slower than its 1-second budget):
   * roll back (the model is CodeDeploy's `ignorePollAlarmFailure` false) or
   * let the deployment go on. The check's own faults (a payload or
   * association it cannot read, an exception) are not read failures: they
   * always let the deployment go on, loudly (see the README, "When the check
   * itself fails").
   *
   * @default AlarmReadFailure.ROLL_BACK
   */
  readonly alarmReadFailure?: AlarmReadFailure;

  /**
   * Concurrent executions reserved for the alarm-state check, a whole number
   * of at least 1. Ignored when `alarmStateChecks` is false.
   *
   * AppConfig calls the check synchronously at every tick of every
   * deployment of every associated environment, and a throttled call is an
   * error that rolls the deployment back. Reserving concurrency keeps other
   * functions of the account from starving the check in an incident (and
   * caps the check at this many at once: size it for the deployments that
   * run together). Lambda keeps 100 of the account's concurrency unreserved,
   * so an account with a low concurrency quota cannot reserve any: that is
   * why it is off by default.
   *
   * @default - no reserved concurrency: the check shares the account's unreserved concurrency
   */
  readonly alarmStateReservedConcurrency?: number;

  /**
   * The event bus the alarm rules live on: a bus of the stack's own account
   * and Region (a bus elsewhere fails synth). CloudWatch puts an alarm's
   * state-change events on the default bus of the alarm's own account and
   * Region only, so with a custom bus the AlarmRollback also creates rules on
   * the default bus that forward its own account's and Region's alarms (and
   * tag-routed targets' events) to it. Proton targets' deployment-start rules
   * stay on the default bus, where AWS service events arrive.
   *
   * @default - the default event bus of the stack's account and Region
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The accounts (or organizations) whose alarms may send their events to
   * `eventBus`, each with the Regions of its alarms. The AlarmRollback writes
   * the bus policy that lets them put CloudWatch alarm state-change events
   * (and nothing else) on the bus; an `AlarmEventForwarder` in each of those
   * accounts and Regions forwards the alarms. The stack's own account needs
   * no bus-policy statement, but its alarms in other Regions must be declared
   * with `AlarmSource.account(<own account>, { regions })`.
   *
   * @default - none: only alarms of the stack's own account and Region
   */
  readonly alarmSources?: AlarmSource[];

  /**
   * What happens when a target's alarm ARN names an account or Region that
   * no `alarmSources` entry covers: by default synth fails, since that
   * alarm's events would never reach the rollback; true makes it a warning,
   * for alarm events forwarded by something outside this app (whose bus
   * policy you write yourself).
   *
   * @default false
   */
  readonly alarmsForwardedElsewhere?: boolean;
}

/** Options of `AlarmRollback.addTarget`. */
export interface AddTargetOptions {
  /**
   * The alarms that roll the target back when any of them enters `ALARM`:
   * metric or composite alarms, created in this app or imported by ARN (also
   * from other accounts and Regions declared in `alarmSources`, whose events
   * an `AlarmEventForwarder` sends to the rollback's bus). At most 100, each once. As many rules as EventBridge's
   * limits need are created for them (one for up to about 15 alarms).
   *
   * Give `alarms`, `alarmTags` or both.
   *
   * @default - none: only the alarms that carry `alarmTags`
   */
  readonly alarms?: cloudwatch.IAlarm[];

  /**
   * Tags that make an alarm one of the target's: any alarm whose state-change
   * event carries every one of these tags with exactly this value rolls the
   * target back, including alarms created after the deployment. One rule
   * matches them all (`detail.alarmTags` in its event pattern), however many
   * alarms carry the tags.
   *
   * CloudWatch puts an alarm's tags into its events only when the alarm's tag
   * propagation is on: use `AlarmTagPropagation.enable(scope)` for the alarms
   * of this app, or turn it on where the alarms are made. Keys starting with
   * `aws:` are never propagated, and are refused. 1 to 10 tags, keys of 1 to
   * 128 characters, values of 0 to 256, literal strings.
   *
   * The alarm-state check (an AppConfig deployment's start and ticks, a
   * Proton deployment's start) reads the alarms listed in `alarms` only: an
   * alarm matched by its tags acts through its events, so one that is already
   * firing when a deployment starts stops nothing until its state changes.
   *
   * Give `alarms`, `alarmTags` or both.
   *
   * @default - none: only the alarms listed in `alarms`
   */
  readonly alarmTags?: { [key: string]: string };

  /** What the alarms roll back. */
  readonly target: RollbackTarget;

  /**
   * Which alarm states roll this target back.
   *
   * @default - the AlarmRollback's `triggerOn`
   */
  readonly triggerOn?: TriggerOn;

  /**
   * Act on this target's alarms while their actions are disabled or
   * suppressed, too.
   *
   * @default - the AlarmRollback's `actOnPausedAlarms`
   */
  readonly actOnPausedAlarms?: boolean;
}

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
export class AlarmRollback extends Construct {
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
  private readonly checkFunction?: lambda.Function;
  private stateExtension?: AlarmStateExtension;
  private readonly triggerOn: TriggerOn;
  private readonly actOnPausedAlarms: boolean;
  private readonly delivery: RuleDelivery;
  private readonly bus: RollbackBus;
  private readonly alarmSources: ResolvedAlarmSource[];
  private readonly alarmsForwardedElsewhere: boolean;
  private readonly ownAlarmForwarding?: OwnAlarmForwarding;
  private readonly grants: TargetGrants;
  private readonly targetIds: string[] = [];
  private readonly dashboards: RollbackDashboardBuilder[] = [];

  constructor(scope: Construct, id: string, props: AlarmRollbackProps = {}) {
    super(scope, id);

    this.rollbackName = this.node.path;
    this.bus = RollbackBus.of(this, props.eventBus);
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

    const logGroupProps: logs.LogGroupProps = {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
      encryptionKey: key,
    };
    if (key) allowLogsToUseKey(this, key);
    const logGroup = new logs.LogGroup(this, 'HandlerLogs', logGroupProps);

    const environment: Record<string, string> = {
      [HandlerEnv.LEDGER_TABLE]: this.ledger.tableName,
      [HandlerEnv.LEDGER_RETENTION_DAYS]: String(ledgerRetentionDays),
      [HandlerEnv.DRY_RUN]: String(props.dryRun ?? false),
      [HandlerEnv.METRIC_NAMESPACE]: Metrics.DEFAULT_NAMESPACE,
      [HandlerEnv.ROLLBACK_NAME]: this.rollbackName,
      [HandlerEnv.CLAIM_LEASE_SECONDS]: String(HANDLER_TIMEOUT.toSeconds()),
    };
    if (props.notificationTopic) {
      environment[HandlerEnv.NOTIFICATION_TOPIC_ARN] = props.notificationTopic.topicArn;
      environment[HandlerEnv.NOTIFY_OUTCOMES] = resolveNotifyOn(this, props.notifyOn).join(',');
    } else if (props.notifyOn !== undefined) {
      resolveNotifyOn(this, props.notifyOn);
      Annotations.of(this).addWarningV2('cdk-alarm-rollback:notifyOnWithoutTopic',
        'notifyOn chooses which outcomes are published to notificationTopic; it is ignored because no notificationTopic was given.');
    }

    this.function = new RollbackFunction(this, 'Handler', {
      runtime,
      architecture,
      handler: 'index.handler',
      description: `Rolls back deployments when alarms enter ALARM (${this.rollbackName})`.slice(0, 256),
      memorySize: HANDLER_MEMORY_MB,
      timeout: HANDLER_TIMEOUT,
      reservedConcurrentExecutions: reservedConcurrency,
      logGroup,
      environment,
      environmentEncryption: key,
    });
    this.handler = this.function;
    grantEnvironmentDecrypt(this.function, key);
    this.function.configureAsyncInvoke({
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    grantLedgerAccess(this.ledger, this.function);
    props.notificationTopic?.grantPublish(this.function);

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
      const checkLogs = new logs.LogGroup(this, 'AlarmStateLogs', logGroupProps);
      this.checkFunction = new AlarmStateFunction(this, 'AlarmState', {
        runtime,
        architecture,
        reservedConcurrentExecutions: resolveReservedConcurrency(this, props.alarmStateReservedConcurrency, 'alarmStateReservedConcurrency'),
        description: `Checks alarm state when an AppConfig deployment starts and at every tick (${this.rollbackName})`.slice(0, 256),
        logGroup: checkLogs,
        environmentEncryption: key,
        environment: {
          ...environment,
          // The check's claims are its own: one older than its timeout belongs to an invocation that died.
          [HandlerEnv.CLAIM_LEASE_SECONDS]: String(ALARM_STATE_TIMEOUT.toSeconds()),
          [HandlerEnv.ALARM_READ_FAILURE]: props.alarmReadFailure === AlarmReadFailure.CONTINUE
            ? AlarmReadFailure.CONTINUE : AlarmReadFailure.ROLL_BACK,
          [HandlerEnv.ALARM_READ_BUDGET_MS]: String(ALARM_READ_BUDGET.toMilliseconds()),
        },
      });
      this.alarmStateFunction = this.checkFunction;
      grantEnvironmentDecrypt(this.checkFunction, key);
      grantLedgerAccess(this.ledger, this.checkFunction);
      props.notificationTopic?.grantPublish(this.checkFunction);
      grantDescribeAlarms(this.checkFunction);
      if (monitoring) {
        this.alarms.push(...createAlarmStateWatchers(this, this.rollbackName, {
          errors: this.metricAlarmStateErrors({ period: Duration.minutes(1) }),
          throttles: this.metricAlarmStateThrottles({ period: Duration.minutes(1) }),
          faults: this.metricAlarmStateFaults({ period: Duration.minutes(1) }),
          // Ticks and starts alike; FILL keeps one trigger's silence from hiding the other's count.
          missingAlarms: new cloudwatch.MathExpression({
            expression: 'FILL(tick, 0) + FILL(start, 0)',
            usingMetrics: {
              tick: this.metricAlarmStateChecks(AlarmStateCheckResult.MISSING, RollbackTrigger.DEPLOYMENT_TICK, { period: Duration.minutes(5) }),
              start: this.metricAlarmStateChecks(AlarmStateCheckResult.MISSING, RollbackTrigger.DEPLOYMENT_START, { period: Duration.minutes(5) }),
            },
            period: Duration.minutes(5),
            label: 'alarm-state checks that did not find a watched alarm',
          }),
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
    return this.stateExtension?.extension;
  }

  /**
   * The EventBridge rules of every target, in the order the targets were
   * added: one per target, or several for a target whose alarms outgrow one
   * rule, and after them the rules on a Proton target's deployments starting.
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
   * associated with the alarm-state extension, and a Proton target gets a
   * rule on its environment's deployments starting.
   *
   * @returns the target's rules: one, or several for many alarms (and a Proton target's start rules)
   */
  public addTarget(id: string, options: AddTargetOptions): events.IRule[] {
    if (this.node.tryFindChild(id)) {
      throw validationError(this,
        `addTarget id ${describeValue(id)} is already used in this AlarmRollback`,
        'Give every addTarget call its own id; the id names the target in the ledger and metrics');
    }
    const scope = new Construct(this, id);
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
    const startRules: Array<[Record<string, unknown>, TargetInput, string]> = [];
    const target = options.target._bind(scope, {
      name,
      alarmArns,
      triggerStates,
      actOnPausedAlarms: options.actOnPausedAlarms ?? this.actOnPausedAlarms,
      grant: (actions, arns) => this.grants.grant(scope, actions, arns),
      stateChecks: this.checkFunction && {
        checkAppConfigEnvironment: (environmentArn, parameter) => {
          warnUncheckedKinds(scope, options.alarms ?? []);
          this.checkAppConfigEnvironment(scope, environmentArn, parameter, alarmArns);
        },
        // Added after the alarm rules, so a target's rules keep their order.
        // The start check reads listed alarms only: a target watched by tags
        // alone has nothing for it to read, so it gets no start rule.
        addStartRules: (pattern, input, description) => {
          if (alarmArns.length > 0) startRules.push([pattern, input, description]);
        },
      },
    });
    if (alarmTags && this.checkFunction) {
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
    for (const [pattern, input, description] of startRules) {
      rules.push(...this.delivery.addStartRules(scope, id, input, pattern, description));
    }
    this.targetIds.push(id);
    for (const dashboard of this.dashboards) {
      dashboard.addTarget(id);
    }
    return rules;
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
    const builder = new RollbackDashboardBuilder(this, id, this, this.rollbackName, this.checkFunction !== undefined, options);
    for (const targetId of this.targetIds) {
      builder.addTarget(targetId);
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
   * @param trigger `DEPLOYMENT_TICK` or `DEPLOYMENT_START`
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricAlarmStateChecks(result: string, trigger: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName: Metrics.ALARM_STATE_CHECK,
      dimensionsMap: {
        [Metrics.DIMENSION_ROLLBACK]: this.rollbackName,
        [Metrics.DIMENSION_TRIGGER]: trigger,
        [Metrics.DIMENSION_RESULT]: result,
      },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /**
   * Associates the extension with one AppConfig environment, listing the
   * alarms the check can read: DescribeAlarms reads the alarms of the
   * function's own account and Region only, so alarms elsewhere are left to
   * the event path, with a warning.
   */
  private checkAppConfigEnvironment(scope: Construct, environmentArn: string, parameter: AlarmStateTargetParameter, alarmArns: string[]): void {
    const elsewhere: string[] = [];
    // Every literal ARN here passed resolveAlarmArns, so it parses.
    const readable = alarmArns.filter((arn) => {
      const here = isInStackEnvironment(this, arn);
      if (!here) elsewhere.push(parseAlarmArn(arn)!.alarmName);
      return here;
    });
    if (elsewhere.length > 0) {
      Annotations.of(scope).addWarningV2('cdk-alarm-rollback:alarmNotReadable',
        `${elsewhere.length} alarm(s) of this target (${elsewhere.slice(0, 3).join(', ')}${elsewhere.length > 3 ? ', ...' : ''}) are in another account or Region: `
        + 'the alarm-state check cannot read them, so only their alarm events roll the target back.');
    }
    if (readable.length === 0) {
      return;
    }
    this.stateExtension ??= new AlarmStateExtension(this, 'AlarmStateExtension', {
      checkFunction: this.checkFunction!,
      // The rule name prefix is unique per AlarmRollback in an account and Region; so is the extension name.
      name: `${this.ruleNamePrefix}AlarmState`,
      startGateName: `${this.ruleNamePrefix}AlarmGate`,
      rollbackName: this.rollbackName,
    });
    this.stateExtension.associate(scope, environmentArn, parameter, readable);
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
    return new cloudwatch.Metric({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName: Metrics.OUTCOME,
      dimensionsMap: {
        [Metrics.DIMENSION_ROLLBACK]: this.rollbackName,
        [Metrics.DIMENSION_OUTCOME]: outcome,
      },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
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
    return new cloudwatch.Metric({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName: Metrics.OUTCOME,
      dimensionsMap: {
        [Metrics.DIMENSION_ROLLBACK]: this.rollbackName,
        // The target name the handler records: the target's construct path.
        [Metrics.DIMENSION_TARGET]: `${this.node.path}/${targetId}`,
        [Metrics.DIMENSION_OUTCOME]: outcome,
      },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /**
   * The number of `FAILED` decisions: an AWS call failed after the SDK's
   * retries (the event is retried, then dead-lettered).
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metricOutcome(RollbackOutcome.FAILED, props);
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
    return new cloudwatch.Metric({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName: Metrics.ALARM_TO_ACTION_LATENCY,
      dimensionsMap: { [Metrics.DIMENSION_ROLLBACK]: this.rollbackName },
      statistic: cloudwatch.Stats.p(90),
      ...props,
    });
  }

  /**
   * Invocations of the handler that ended in an error (the Lambda `Errors`
   * metric of the handler function).
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricHandlerErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /**
   * Invocations of the handler that Lambda throttled (the Lambda `Throttles`
   * metric of the handler function); EventBridge and Lambda retry them.
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricHandlerThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }

  /**
   * Alarm events waiting in the dead-letter queue: the queue's
   * `ApproximateNumberOfMessagesVisible`. Each is an event that rolled
   * nothing back.
   *
   * @param props to override the defaults (statistic Maximum, period 5 minutes)
   */
  public metricDeadLettered(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: cloudwatch.Stats.MAXIMUM, ...props });
  }

  /**
   * Invocations of the alarm-state check that crashed or timed out (its
   * Lambda `Errors`). An answer that rolls back is not an error.
   * Fails when `alarmStateChecks` is false.
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricAlarmStateErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireCheckFunction('metricAlarmStateErrors').metricErrors(props);
  }

  /**
   * Invocations of the alarm-state check that Lambda throttled (its Lambda
   * `Throttles`). Fails when `alarmStateChecks` is false.
   *
   * @param props to override the defaults (statistic Sum, period 5 minutes)
   */
  public metricAlarmStateThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireCheckFunction('metricAlarmStateThrottles').metricThrottles(props);
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
    this.requireCheckFunction('metricAlarmStateFaults');
    return new cloudwatch.Metric({
      namespace: Metrics.DEFAULT_NAMESPACE,
      metricName: Metrics.ALARM_STATE_FAULT,
      dimensionsMap: { [Metrics.DIMENSION_ROLLBACK]: this.rollbackName },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  private requireCheckFunction(method: string): lambda.Function {
    if (!this.checkFunction) {
      throw validationError(this,
        `${method} was called, but alarmStateChecks is false, so there is no alarm-state check function`,
        `Leave alarmStateChecks on, or do not call ${method}`);
    }
    return this.checkFunction;
  }
}

/**
 * Says at synth which alarms the alarm-state check cannot read: DescribeAlarms
 * returns metric, composite and log alarms only, so any other resource passed
 * as an alarm would be reported MISSING at every tick.
 */
function warnUncheckedKinds(scope: Construct, alarms: cloudwatch.IAlarm[]): void {
  const unchecked = uncheckedAlarmKinds(alarms);
  if (unchecked.length > 0) {
    Annotations.of(scope).addWarningV2('cdk-alarm-rollback:alarmKindNotChecked',
      `${unchecked.length} alarm(s) of this target are not CloudWatch metric, composite or log alarms: ${unchecked.slice(0, 3).join(', ')}`
      + `${unchecked.length > 3 ? ', ...' : ''}. The alarm-state check reads ${Object.keys(CHECKED_ALARM_TYPES).join(', ')} only and will report them MISSING `
      + 'at every deployment; only their alarm events roll the target back. Pass the CloudWatch alarm itself (cloudwatch.Alarm, cloudwatch.CompositeAlarm, '
      + 'or an AWS::CloudWatch::LogAlarm), or a composite alarm over it.');
  }
}

/**
 * DescribeAlarms on `*`: the CloudWatch API reference (DescribeAlarms) says
 * composite alarms are returned only to a caller whose
 * `cloudwatch:DescribeAlarms` permission is scoped to `*`; on alarm ARNs a
 * composite alarm would read as missing. ListAlarmMuteRules, which says
 * whether an alarm mute rule mutes an alarm's actions, lists the account's
 * rules and names no resource of its own (CloudWatch API Reference,
 * ListAlarmMuteRules: "you need the cloudwatch:ListAlarmMuteRules
 * permission"). Both read alarm configuration and state only.
 */
function grantDescribeAlarms(grantee: iam.IGrantable): void {
  iam.Grant.addToPrincipal({ grantee, actions: ['cloudwatch:DescribeAlarms', 'cloudwatch:ListAlarmMuteRules'], resourceArns: ['*'] });
}
