import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmReadFailure, RollbackOutcome } from './contract';
import { AlarmSource } from './forwarding/alarm-source';
import { RollbackTarget } from './targets/rollback-target';
import { TriggerOn } from './trigger-on';

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
   * @default - ROLLED_BACK, REVERTED, CANCEL_REQUESTED, COMPLETED_BEFORE_STOP, FAILED, DEPLOYMENT_BLOCKED, DRY_RUN and ALARM_MISSING
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
   * with an association per AppConfig target environment, a rule per
   * Proton target on its deployments starting, and a rule per stack target
   * with `blockDeploymentsWhileAlarming` on its updates starting. False
   * leaves all of them out: only alarm events (and a stack's bake gate)
   * act.
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
   * tag-routed targets' events) to it. Proton and stack targets' start rules
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
   * Proton deployment's start, a stack update's start and bake) reads the alarms listed in `alarms` only: an
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
