import { IConstruct } from 'constructs';
import { AlarmReadFailure, AlarmStateTargetParameter, TargetInput } from '../contract';
import type { BakeGateProvider } from './cloudformation-stack/bake-gate';

/** What a target is told when it is added to an AlarmRollback. */
export interface TargetBindContext {
  /** Unique, readable name of the target: the construct path of `addTarget`'s id. */
  readonly name: string;
  /**
   * ARNs of the alarms that watch the target (tokens allowed); empty for a
   * target watched by alarm tags only. The alarm-state checks read these
   * alarms only.
   */
  readonly alarmArns: string[];
  /** The tags that choose more alarms (`alarmTags`), which only their events bring: nothing reads them by ARN. */
  readonly alarmTags?: Record<string, string>;
  /** The alarm states that roll the target back (`ALARM`, and `INSUFFICIENT_DATA` if chosen). */
  readonly triggerStates: string[];
  /** Act on alarms whose actions are disabled or suppressed, too. */
  readonly actOnPausedAlarms: boolean;
  /** The alarm-state checks, or undefined when `alarmStateChecks` is false. */
  readonly stateChecks?: AlarmStateChecks;
  /** The bake gates' shared provider and the read-failure policy they follow, for a stack target with a bake. */
  readonly bakeGates: BakeGates;
  /**
   * Allows the handler `actions` on `resourceArns`. The grants of all
   * targets are packed into IAM policies sized to IAM's quotas
   * (`TargetGrants`); within a policy, grants with the same actions share one
   * statement, so a resource several targets need (an AppConfig application)
   * is listed once per policy. Keep ARNs short: each one counts against the
   * role's policy quotas.
   */
  grant(actions: string[], resourceArns: string[]): void;
}

/** What a target with a bake uses: the AlarmRollback's one provider, made on first use. */
export interface BakeGates {
  readonly alarmReadFailure: AlarmReadFailure;
  provider(): BakeGateProvider;
}

/** What a target uses to have its alarms' state checked when a deployment starts or runs. */
export interface AlarmStateChecks {
  /**
   * Associates the AlarmRollback's AppConfig extension with the environment
   * (`arn:...:application/<app>/environment/<env>`), so AppConfig asks the
   * alarm-state check at every start and tick of its deployments.
   */
  checkAppConfigEnvironment(environmentArn: string, target: AlarmStateTargetParameter): void;
  /**
   * Adds rules that send the handler `target` with every event matching
   * `eventPattern` (a deployment starting), delivered like the alarm rules;
   * one rule per group of alarms the rule input can hold.
   */
  addStartRules(eventPattern: Record<string, unknown>, target: TargetInput, description: string): void;
}

/**
 * One kind of rollback target. Each kind lives in its own folder under
 * `src/targets/<kind>/` and knows how to validate itself, render its rule input and
 * grant its IAM to the handler.
 */
export interface TargetDefinition {
  /**
   * Validates the options (errors name `scope`'s path), grants the handler
   * least-privilege access to this one target and returns the rule input.
   */
  bind(scope: IConstruct, context: TargetBindContext): TargetInput;
}
