/**
 * Where this function runs. DescribeAlarms reads the alarms of its caller's
 * own account and Region only (CloudWatch API Reference, DescribeAlarms), so
 * an alarm elsewhere is never read with this function's credentials.
 */
export interface Place {
  readonly region: string;
  /** Undefined when the invocation does not say (a local run without a function ARN). */
  readonly account?: string;
}

/** The place of an invocation: the Region from the runtime, the account from the invoked function's ARN. */
export function placeOf(region: string, invokedFunctionArn: string | undefined): Place {
  return { region, account: accountOf(invokedFunctionArn) };
}

/** The account of the invoked function's ARN (Lambda's context object), or undefined when there is none. */
export function accountOf(invokedFunctionArn: string | undefined): string | undefined {
  return /^arn:[^:]+:lambda:[^:]+:(\d{12}):/.exec(invokedFunctionArn ?? '')?.[1];
}

/** True when an alarm of this account and Region can be read from `place`. */
export function readableFrom(place: Place, alarm: { readonly region: string; readonly account: string }): boolean {
  return alarm.region === place.region && (place.account === undefined || alarm.account === place.account);
}
