import { Annotations, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HandlerEnv, INPUT_VERSION, isAlarmArn, Ledger, Metrics, RollbackInput, Rules } from './private/contract';
import { RollbackFunction } from './private/rollback-function';
import { describeDuration, describeValue, isLiteral, validationError } from './private/validate';
import { RollbackOutcome } from './rollback-outcome';
import { RollbackTarget } from './rollback-target';

/** EventBridge retries a rule target at most 185 times. */
const MAX_RULE_RETRY_ATTEMPTS = 185;
/** Alarms per target: beyond this the rule's event pattern and input outgrow EventBridge's limits. */
const MAX_ALARMS_PER_TARGET = 100;
/** EventBridge's default event pattern size; a quota increase raises it to 4096. */
const DEFAULT_EVENT_PATTERN_LIMIT = 2048;
const MAX_EVENT_PATTERN_LENGTH = 4096;
/** EventBridge's limit on an input transformer's template. */
const MAX_INPUT_TEMPLATE_LENGTH = 8192;

const HANDLER_TIMEOUT = Duration.seconds(30);
const HANDLER_MEMORY_MB = 256;
const DEFAULT_LEDGER_RETENTION = Duration.days(90);
const DEFAULT_RULE_RETRY_ATTEMPTS = 3;
const DEFAULT_RULE_MAX_EVENT_AGE = Duration.hours(1);
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
   * `dynamodb:PutItem`, `UpdateItem`, `DeleteItem` and `GetItem` on it (and
   * use of its KMS key, if it has one).
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
   * Decide and record, but call no stop or cancel API. Outcomes are recorded
   * as `DRY_RUN` with the call that would have been made.
   *
   * @default false
   */
  readonly dryRun?: boolean;

  /**
   * How long the handler's log group keeps its logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * How many times EventBridge retries delivering an alarm event to the
   * handler before it sends the event to the dead-letter queue (0 to 185).
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * How long EventBridge keeps trying to deliver an alarm event to the
   * handler (1 minute to 24 hours). A rollback that arrives much later than
   * its alarm is seldom wanted, so the default is short.
   *
   * @default Duration.hours(1)
   */
  readonly maxEventAge?: Duration;

  /**
   * Create CloudWatch alarms that watch the rollback itself: handler errors,
   * handler throttles and messages in the dead-letter queue. They are exposed
   * as `alarms`; add actions to them to be told.
   *
   * @default true
   */
  readonly monitoring?: boolean;

  /**
   * What happens to the ledger table this construct creates when it is
   * removed from the stack. Ignored when you bring `ledger`.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Options of `AlarmRollback.addTarget`. */
export interface AddTargetOptions {
  /**
   * The alarms that roll the target back when any of them enters `ALARM`:
   * metric or composite alarms, created in this app or imported by ARN (also
   * from other accounts and regions, if their events reach this account's
   * default event bus). At most 100, each once.
   */
  readonly alarms: cloudwatch.IAlarm[];

  /** What the alarms roll back. */
  readonly target: RollbackTarget;
}

/**
 * Stops AWS AppConfig deployments and cancels AWS Proton environment
 * deployments when a CloudWatch alarm enters `ALARM`, and records every
 * decision in a DynamoDB ledger, a log line, an embedded metric and,
 * optionally, an SNS message.
 *
 * One handler function serves every target; each `addTarget` adds one
 * EventBridge rule on the default bus that matches exactly that target's
 * alarms entering `ALARM`.
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
   * throttles, dead-lettered events). Empty when `monitoring` is false.
   */
  public readonly alarms: cloudwatch.IAlarm[];

  /**
   * The name of this rollback in metrics, logs and ledger records: its
   * construct path. It is the value of the `Rollback` metric dimension.
   */
  public readonly rollbackName: string;

  private readonly function: lambda.Function;
  private readonly ruleTargetRetryAttempts: number;
  private readonly ruleTargetMaxEventAge: Duration;
  private readonly targetRules: events.IRule[] = [];
  private readonly targetStatements = new Map<string, iam.PolicyStatement>();

  constructor(scope: Construct, id: string, props: AlarmRollbackProps = {}) {
    super(scope, id);

    this.rollbackName = this.node.path;
    const ledgerRetentionDays = this.ledgerRetentionDays(props.ledgerRetention);
    this.ruleTargetRetryAttempts = this.retryAttempts(props.retryAttempts);
    this.ruleTargetMaxEventAge = props.maxEventAge ?? DEFAULT_RULE_MAX_EVENT_AGE;
    if (props.ledger && props.removalPolicy !== undefined) {
      Annotations.of(this).addWarningV2('cdk-alarm-rollback:removalPolicyIgnored',
        'removalPolicy applies only to the ledger table AlarmRollback creates; it is ignored because ledger was given.');
    }

    this.ledger = props.ledger ?? this.createLedger(props.removalPolicy ?? RemovalPolicy.RETAIN);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: DEAD_LETTER_RETENTION,
    });

    const logGroup = new logs.LogGroup(this, 'HandlerLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
    });

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
    }

    // No reserved concurrency: the alarms of an incident fire together, and
    // every one of them must be handled at once.
    this.function = new RollbackFunction(this, 'Handler', {
      description: `Rolls back deployments when alarms enter ALARM (${this.rollbackName})`.slice(0, 256),
      memorySize: HANDLER_MEMORY_MB,
      timeout: HANDLER_TIMEOUT,
      logGroup,
      environment,
    });
    this.handler = this.function;
    this.function.configureAsyncInvoke({
      retryAttempts: ASYNC_RETRY_ATTEMPTS,
      maxEventAge: ASYNC_MAX_EVENT_AGE,
      onFailure: new destinations.SqsDestination(this.deadLetterQueue),
    });

    this.grantLedgerWrites(this.function);
    props.notificationTopic?.grantPublish(this.function);

    this.alarms = (props.monitoring ?? true) ? this.createWatcherAlarms() : [];
  }

  /** The EventBridge rules, one per target, in the order the targets were added. */
  public get rules(): events.IRule[] {
    return [...this.targetRules];
  }

  /**
   * Rolls `options.target` back when any of `options.alarms` enters `ALARM`.
   *
   * Adds one EventBridge rule on the default bus that matches exactly these
   * alarms' state changes to `ALARM`, and sends the handler the original
   * event together with the target's identifiers. The target is named
   * `<construct path of this AlarmRollback>/<id>` in the ledger and metrics.
   *
   * @param id a name for the target, unique within this AlarmRollback
   * @param options the alarms and the target
   * @returns the rule
   */
  public addTarget(id: string, options: AddTargetOptions): events.IRule {
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
    const alarmArns = this.alarmArns(scope, options.alarms);
    const target = options.target._bind(scope, { name, alarmArns, grant: (actions, arns) => this.grant(actions, arns) });

    const eventPattern: events.EventPattern = {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      resources: alarmArns,
      detail: { state: { value: ['ALARM'] } },
    };
    this.checkRuleSize(scope, eventPattern, target);

    const input: RollbackInput = { version: INPUT_VERSION, target, event: events.EventField.fromPath('$') };
    const rule = new events.Rule(scope, 'Rule', {
      description: `Rolls back ${id} when one of its ${alarmArns.length} alarm(s) enters ALARM`.slice(0, 512),
      eventPattern,
    });
    rule.addTarget(new targets.LambdaFunction(this.function, {
      event: events.RuleTargetInput.fromObject(input),
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: this.ruleTargetRetryAttempts,
      maxEventAge: this.ruleTargetMaxEventAge,
    }));
    this.targetRules.push(rule);
    return rule;
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

  /** One statement per set of actions, whose resources grow target by target. */
  private grant(actions: string[], resourceArns: string[]): void {
    const key = actions.join(',');
    let statement = this.targetStatements.get(key);
    if (!statement) {
      statement = new iam.PolicyStatement({ actions });
      this.targetStatements.set(key, statement);
      this.function.addToRolePolicy(statement);
    }
    const listed = new Set(statement.resources);
    statement.addResources(...resourceArns.filter((arn) => !listed.has(arn)));
  }

  private createLedger(removalPolicy: RemovalPolicy): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Ledger', {
      partitionKey: { name: Ledger.PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: Ledger.SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: Ledger.TTL_ATTRIBUTE,
      removalPolicy,
    });
    table.addGlobalSecondaryIndex({
      indexName: Ledger.OUTCOME_INDEX,
      partitionKey: { name: Ledger.OUTCOME_INDEX_PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: Ledger.OUTCOME_INDEX_SORT_KEY, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });
    return table;
  }

  /** Claims and records: conditional writes and deletes on the table itself, never its indexes. */
  private grantLedgerWrites(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'],
      resourceArns: [this.ledger.tableArn],
    });
    this.ledger.encryptionKey?.grantEncryptDecrypt(grantee);
  }

  private createWatcherAlarms(): cloudwatch.IAlarm[] {
    const watch = (id: string, metric: cloudwatch.IMetric, description: string) => new cloudwatch.Alarm(this, id, {
      metric,
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    return [
      watch('HandlerErrorsAlarm', this.function.metricErrors({ period: Duration.minutes(1) }),
        `The rollback handler of ${this.rollbackName} failed; the event is retried, then dead-lettered. Check the handler's log group and the ledger's FAILED records.`),
      watch('HandlerThrottlesAlarm', this.function.metricThrottles({ period: Duration.minutes(1) }),
        `The rollback handler of ${this.rollbackName} was throttled; rollbacks are delayed. Check the account's Lambda concurrency.`),
      watch('DeadLetterQueueAlarm', this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }), `Alarm events of ${this.rollbackName} were dead-lettered and did not roll anything back. Read the dead-letter queue and act on the deployments by hand.`),
    ];
  }

  private ledgerRetentionDays(retention: Duration = DEFAULT_LEDGER_RETENTION): number {
    if (retention.isUnresolved()) {
      throw validationError(this, 'ledgerRetention is a token', 'Use a literal duration such as Duration.days(90)');
    }
    const seconds = retention.toSeconds();
    const day = Duration.days(1).toSeconds();
    if (seconds < day || seconds % day !== 0) {
      throw validationError(this,
        `ledgerRetention is ${describeDuration(retention)}; records are kept for whole days, at least one`,
        'Use Duration.days(n) with n >= 1, such as Duration.days(90)');
    }
    return seconds / day;
  }

  private retryAttempts(attempts: number = DEFAULT_RULE_RETRY_ATTEMPTS): number {
    if (Token.isUnresolved(attempts) || !Number.isInteger(attempts) || attempts < 0 || attempts > MAX_RULE_RETRY_ATTEMPTS) {
      throw validationError(this,
        `retryAttempts is ${describeValue(attempts)}; EventBridge retries a target 0 to ${MAX_RULE_RETRY_ATTEMPTS} times`,
        `Use a whole number from 0 to ${MAX_RULE_RETRY_ATTEMPTS}, or leave it out for ${DEFAULT_RULE_RETRY_ATTEMPTS}`);
    }
    return attempts;
  }

  private alarmArns(scope: Construct, alarms: cloudwatch.IAlarm[]): string[] {
    if (!alarms || alarms.length === 0) {
      throw validationError(scope,
        'addTarget was given no alarms, so nothing would ever roll this target back',
        'Pass at least one cloudwatch.IAlarm in alarms');
    }
    if (alarms.length > MAX_ALARMS_PER_TARGET) {
      throw validationError(scope,
        `addTarget was given ${alarms.length} alarms; a target takes at most ${MAX_ALARMS_PER_TARGET}, or its rule outgrows EventBridge's event pattern limit`,
        `Combine the alarms into a few cloudwatch.CompositeAlarm, or split them over several targets of ${MAX_ALARMS_PER_TARGET} or fewer`);
    }
    const seen = new Map<string, number>();
    return alarms.map((alarm, index) => {
      const arn = alarm.alarmArn;
      if (typeof arn !== 'string' || arn.length === 0) {
        throw validationError(scope,
          `alarm ${index} (${alarm.node.path}) has no ARN`,
          'Pass alarms that have an ARN: create them in this app, or import them with cloudwatch.Alarm.fromAlarmArn');
      }
      if (isLiteral(arn) && !isAlarmArn(arn)) {
        throw validationError(scope,
          `alarm ${index} has the ARN ${describeValue(arn)}, which is not a CloudWatch alarm ARN`,
          'Import the alarm with its full ARN: arn:aws:cloudwatch:<region>:<account>:alarm:<name>');
      }
      const first = seen.get(arn);
      if (first !== undefined) {
        throw validationError(scope,
          `alarm ${index} (${isLiteral(arn) ? arn : alarm.node.path}) is the same alarm as alarm ${first}`,
          'Pass each alarm once per target');
      }
      seen.set(arn, index);
      return arn;
    });
  }

  /** EventBridge refuses patterns and input templates over its limits at deploy time; say so at synth time. */
  private checkRuleSize(scope: Construct, pattern: events.EventPattern, target: unknown): void {
    const stack = Stack.of(this);
    const renderedPattern = JSON.stringify({
      'source': pattern.source,
      'detail-type': pattern.detailType,
      'resources': pattern.resources,
      'detail': pattern.detail,
    });
    if (!Token.isUnresolved(renderedPattern)) {
      if (renderedPattern.length > MAX_EVENT_PATTERN_LENGTH) {
        throw validationError(scope,
          `the rule's event pattern is ${renderedPattern.length} characters; EventBridge accepts at most ${MAX_EVENT_PATTERN_LENGTH}`,
          'Combine the alarms into a few cloudwatch.CompositeAlarm, or split them over several targets');
      }
      if (renderedPattern.length > DEFAULT_EVENT_PATTERN_LIMIT) {
        Annotations.of(scope).addWarningV2('cdk-alarm-rollback:eventPatternSize',
          `The rule's event pattern is ${renderedPattern.length} characters, over EventBridge's default limit of ${DEFAULT_EVENT_PATTERN_LIMIT}. Raise the quota to ${MAX_EVENT_PATTERN_LENGTH}, or use fewer alarms (a composite alarm).`);
      }
    }
    const renderedInput = stack.toJsonString({ version: INPUT_VERSION, target, event: '<event>' });
    if (!Token.isUnresolved(renderedInput) && renderedInput.length > MAX_INPUT_TEMPLATE_LENGTH) {
      throw validationError(scope,
        `the rule's input template is ${renderedInput.length} characters; EventBridge accepts at most ${MAX_INPUT_TEMPLATE_LENGTH}`,
        'Use fewer or shorter-named alarms for this target, or combine them into a composite alarm');
    }
  }
}
