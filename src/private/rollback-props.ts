// The synth-time checks of AlarmRollbackProps that stand on their own: each
// takes the prop as given (undefined for its default) and returns the value
// the AlarmRollback builds with, or throws an error that names the
// AlarmRollback's path, the bad value and the fix.
import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { RollbackOutcome, DEFAULT_NOTIFY_OUTCOMES } from '../contract';
import { RULE_MAX_EVENT_AGE_MAX_SECONDS, RULE_MAX_EVENT_AGE_MIN_SECONDS, RULE_MAX_RETRY_ATTEMPTS } from './quotas';
import { describeDuration, describeValue, validationError } from './validate';

const DEFAULT_LEDGER_RETENTION = Duration.days(90);
const DEFAULT_RULE_RETRY_ATTEMPTS = 3;
const DEFAULT_RULE_MAX_EVENT_AGE = Duration.hours(1);

/** `notifyOn`: the outcomes published to the notification topic. */
export function resolveNotifyOn(scope: IConstruct, outcomes: RollbackOutcome[] = [...DEFAULT_NOTIFY_OUTCOMES]): RollbackOutcome[] {
  const known = Object.values(RollbackOutcome) as string[];
  if (outcomes.length === 0) {
    throw validationError(scope,
      'notifyOn is empty, so notificationTopic would never receive a message',
      'List at least one RollbackOutcome, or leave notifyOn out for the outcomes a person acts on');
  }
  const seen = new Set<string>();
  for (const outcome of outcomes) {
    if (!known.includes(outcome)) {
      throw validationError(scope,
        `notifyOn contains ${describeValue(outcome)}, which is not a RollbackOutcome`,
        `Use values of RollbackOutcome: ${known.join(', ')}`);
    }
    if (seen.has(outcome)) {
      throw validationError(scope,
        `notifyOn lists ${outcome} twice`,
        'List each outcome once');
    }
    seen.add(outcome);
  }
  return outcomes;
}

/** `ledgerRetention`, as the whole number of days the handler's records live. */
export function resolveLedgerRetentionDays(scope: IConstruct, retention: Duration = DEFAULT_LEDGER_RETENTION): number {
  if (retention.isUnresolved()) {
    throw validationError(scope, 'ledgerRetention is a token', 'Use a literal duration such as Duration.days(90)');
  }
  const seconds = retention.toSeconds();
  const day = Duration.days(1).toSeconds();
  if (seconds < day || seconds % day !== 0) {
    throw validationError(scope,
      `ledgerRetention is ${describeDuration(retention)}; records are kept for whole days, at least one`,
      'Use Duration.days(n) with n >= 1, such as Duration.days(90)');
  }
  return seconds / day;
}

/** `retryAttempts`: the retries of every rule's delivery to the handler. */
export function resolveRetryAttempts(scope: IConstruct, attempts: number = DEFAULT_RULE_RETRY_ATTEMPTS): number {
  if (Token.isUnresolved(attempts) || !Number.isInteger(attempts) || attempts < 0 || attempts > RULE_MAX_RETRY_ATTEMPTS) {
    throw validationError(scope,
      `retryAttempts is ${describeValue(attempts)}; EventBridge retries a target 0 to ${RULE_MAX_RETRY_ATTEMPTS} times`,
      `Use a whole number from 0 to ${RULE_MAX_RETRY_ATTEMPTS}, or leave it out for ${DEFAULT_RULE_RETRY_ATTEMPTS}`);
  }
  return attempts;
}

/** EventBridge's RetryPolicy takes MaximumEventAgeInSeconds from 60 to 86400 (EventBridge API reference, RetryPolicy). */
export function resolveMaxEventAge(scope: IConstruct, age: Duration = DEFAULT_RULE_MAX_EVENT_AGE): Duration {
  if (age.isUnresolved()) {
    throw validationError(scope, 'maxEventAge is a token', 'Use a literal duration such as Duration.hours(1)');
  }
  const milliseconds = age.toMilliseconds();
  const seconds = milliseconds / 1000;
  if (milliseconds % 1000 !== 0 || seconds < RULE_MAX_EVENT_AGE_MIN_SECONDS || seconds > RULE_MAX_EVENT_AGE_MAX_SECONDS) {
    throw validationError(scope,
      `maxEventAge is ${milliseconds % 1000 === 0 ? describeDuration(age) : `${milliseconds} ms`}; EventBridge keeps retrying an event for 1 minute to 24 hours, in whole seconds`,
      'Use a duration from Duration.minutes(1) to Duration.hours(24), or leave it out for 1 hour');
  }
  return Duration.seconds(seconds);
}

/** `reservedConcurrency` of the handler (or the prop `prop` of another function), or undefined to reserve none. */
export function resolveReservedConcurrency(scope: IConstruct, reserved: number | undefined, prop = 'reservedConcurrency'): number | undefined {
  if (reserved === undefined) {
    return undefined;
  }
  if (Token.isUnresolved(reserved) || !Number.isInteger(reserved) || reserved < 1) {
    throw validationError(scope,
      `${prop} is ${describeValue(reserved)}; it must be a whole number of at least 1 (0 would stop every ${prop === 'reservedConcurrency' ? 'rollback' : 'check'})`,
      'Reserve at least as many executions as the alarms of one incident can fire at once, such as 10, or leave it out to reserve none');
  }
  return reserved;
}
