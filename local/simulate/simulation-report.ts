import { BakeGateReport } from './bake-gate-player';
import { SentNotification } from './notification-sink';
import { RollbackRecord, TargetInput } from '../../src/contract';

// What a simulation reports: `simulate --json` prints a SimulationReport, the
// timeline formats one, and the demo reads its parts as they happen.

/** A rule in the report: where it is and what it watches. */
export interface RuleSummary {
  readonly rule: string;
  readonly stack: string;
  readonly target: string;
  readonly kind: string;
  readonly alarmArns: readonly string[];
  /** The tags an alarm's event must carry to be the target's, for a target watched by tag. */
  readonly alarmTags?: Readonly<Record<string, string>>;
  /** The ARN of the event bus the rule is on. */
  readonly eventBus: string;
  readonly account: string;
  readonly region: string;
}

/** A rule that forwards events to another event bus. */
export interface ForwardingRuleSummary {
  readonly rule: string;
  readonly stack: string;
  readonly eventBus: string;
  readonly account: string;
  readonly region: string;
  /** The ARN of the bus it puts matching events on. */
  readonly targetBus: string;
  readonly roleArn?: string;
  readonly deadLetterQueue?: string;
  /** The alarm ARNs its pattern names in `resources`. */
  readonly alarmArns: readonly string[];
  /** The tags its pattern asks of `detail.alarmTags`. */
  readonly alarmTags?: Readonly<Record<string, readonly unknown[]>>;
}

/**
 * One forwarding rule's put of an event on another bus. A refused put is not
 * retried; it goes to the rule's dead-letter queue, or is dropped without one.
 */
export interface Hop {
  readonly rule: string;
  readonly fromBus: string;
  readonly toBus: string;
  readonly status: 'DELIVERED' | 'DEAD_LETTERED' | 'DROPPED';
  /** Which policy statement allowed it, or why it was refused. */
  readonly reason: string;
  /** The dead-letter message's ERROR_CODE, for a refused put. */
  readonly errorCode?: string;
  /** The queue a refused put went to. */
  readonly deadLetterQueue?: string;
  /** What simulate could not check on this hop (an imported role, a bus outside the assembly). */
  readonly unchecked?: string;
}

/** One AWS call the handler made, as the local service received it. */
export interface ServiceCall {
  readonly service: 'AppConfig' | 'Proton' | 'CloudFormation';
  readonly operation: string;
  readonly status?: number;
  readonly error?: string;
}

/** One rule's delivery of an event to the handler. */
export interface Delivery {
  readonly rule: string;
  /** The ARN of the bus the rule is on. */
  readonly bus?: string;
  readonly target: TargetInput;
  /** What the rule sent the handler. */
  readonly input: unknown;
  /** SUCCEEDED, or DEAD_LETTERED after Lambda's retries. */
  readonly status: 'SUCCEEDED' | 'DEAD_LETTERED';
  readonly attempts: number;
  readonly requestId: string;
  readonly outcome?: string;
  readonly reason?: string;
  /** What the handler returned. */
  readonly result?: RollbackRecord;
  readonly error?: { readonly name: string; readonly message: string };
  readonly calls: readonly ServiceCall[];
  /** The ledger record of this delivery, as stored. */
  readonly ledger?: Record<string, unknown>;
  readonly notifications: readonly SentNotification[];
}

export interface EventReport {
  readonly index: number;
  /** Where the event came from (its file). */
  readonly source: string;
  readonly eventId?: string;
  readonly alarmArn?: string;
  readonly alarmName?: string;
  readonly state?: string;
  readonly previousState?: string;
  /** The ARN of the bus the event entered: the default bus of its `account` and `region`. */
  readonly entryBus?: string;
  /** Every forwarding rule that matched, in order, and whether its put was allowed. */
  readonly hops: readonly Hop[];
  /** The buses the event was on, the entry bus first. */
  readonly buses: readonly string[];
  readonly deliveries: readonly Delivery[];
  /** The rules that did not match, and why: the pattern field that failed, or a bus the event never reached. */
  readonly unmatched: readonly { readonly rule: string; readonly target: string; readonly reason: string; readonly bus?: string }[];
  /** Said when no rule of the assembly is on the bus the event entered. */
  readonly note?: string;
}

/** One StartDeployment of the state file's `appConfig.starts`. */
export interface StartReport {
  readonly at: string;
  readonly applicationId: string;
  readonly environmentId: string;
  /** The deployment's number when it started. */
  readonly deploymentNumber?: number;
  /** Why AppConfig refused it: an extension's PRE_START_DEPLOYMENT action failed. */
  readonly refused?: string;
}

/** One invocation of the alarm-state check by the local AppConfig's extension. */
export interface ExtensionCheckReport {
  /** The action point's time: the tick's own time for ticks. */
  readonly at: string;
  readonly actionPoint: 'PRE_START_DEPLOYMENT' | 'AT_DEPLOYMENT_TICK';
  /** The target its association's Target parameter names. */
  readonly target?: string;
  readonly applicationId: string;
  readonly environmentId: string;
  readonly deploymentNumber: number;
  /** The InvocationId AppConfig sent, which the check records as the event id. */
  readonly invocationId?: string;
  /** ALLOWED or REFUSED at a start; CONTINUE or ROLL_BACK at a tick. */
  readonly decision: string;
  /** The answer's Description, or the invocation's error. */
  readonly description?: string;
  /**
   * The outcome the check recorded in the ledger for this invocation:
   * DRY_RUN for a dry-run tick or start that would have stopped, ROLLED_BACK,
   * DEPLOYMENT_BLOCKED, REJECTED... None when it recorded nothing (every
   * alarm quiet, a start not gated).
   */
  readonly outcome?: string;
}

/** One UpdateStack of the state file's `cloudFormation.updates`, or of a caller of `Simulation.updateStack`. */
export interface StackUpdateReport {
  readonly at: string;
  readonly stack: string;
  /** The update's operation id when it started. */
  readonly operationId?: string;
  /** Why CloudFormation refused it (a stack not in a complete status, no change). */
  readonly refused?: string;
}

export interface FinalState {
  readonly appConfig: readonly {
    readonly targets: readonly string[];
    readonly applicationId: string;
    readonly environmentId: string;
    readonly deployments: readonly { readonly number: number; readonly state: string; readonly percentageComplete: number }[];
    readonly error?: string;
  }[];
  readonly proton: readonly {
    readonly targets: readonly string[];
    readonly environmentName: string;
    readonly deploymentStatus?: string;
    readonly error?: string;
  }[];
  /** Every stack a stack target guards, with its status now. */
  readonly cloudFormation: readonly {
    readonly targets: readonly string[];
    readonly stackName: string;
    readonly stackStatus?: string;
    readonly statusReason?: string;
    readonly error?: string;
  }[];
}

/** Everything `simulate --json` prints. */
export interface SimulationReport {
  readonly assembly: string;
  readonly rules: readonly RuleSummary[];
  /** The rules that forward alarm events to another event bus. */
  readonly forwardingRules: readonly ForwardingRuleSummary[];
  /** The deployments the state file started, and whether AppConfig refused them. */
  readonly starts: readonly StartReport[];
  /** The stack updates the state file started, and whether CloudFormation refused them. */
  readonly stackUpdates: readonly StackUpdateReport[];
  /** Every call of a bake gate's onEvent and isComplete, oldest first. */
  readonly gates: readonly BakeGateReport[];
  /** Every invocation of the alarm-state check, at starts and ticks, oldest first. */
  readonly checks: readonly ExtensionCheckReport[];
  readonly events: readonly EventReport[];
  readonly finalState: FinalState;
  /** Every ledger record, oldest first. */
  readonly ledger: readonly Record<string, unknown>[];
}
