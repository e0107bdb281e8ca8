import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Builds the errors the construct throws at synth time, all in one shape:
 * `[<construct path>] <what is wrong, with the bad value>. <how to fix it>.`
 */
export function validationError(scope: IConstruct, problem: string, fix: string): Error {
  const error = new Error(`[${scope.node.path}] ${problem}. ${fix}`);
  error.name = 'ValidationError';
  return error;
}

/** True when the value is a literal the construct can check now (not a token resolved at deploy time). */
export function isLiteral(value: string | number | undefined): value is string | number {
  return value !== undefined && !Token.isUnresolved(value);
}

/** A duration in words, for error messages. */
export function describeDuration(duration: Duration): string {
  return duration.toHumanString();
}

/** JSON rendering of a bad value, short enough for an error message. */
export function describeValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
