import { Annotations, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { parseAlarmArn } from '../contract';
import { isLiteral, validationError } from '../private/validate';

/** What an `AlarmSource` declares, once validated. */
export interface ResolvedAlarmSource {
  /** `account` or `organization`. */
  readonly kind: 'account' | 'organization';
  /** The account ID or the organization ID. */
  readonly id: string;
  /** The declared Regions, or undefined for the stack's own Region. */
  readonly regions?: string[];
}

/** An `AlarmSource` as this module sees it (the class imports this module, so it is not imported back). */
interface DeclaredSource {
  _resolve(scope: IConstruct, index: number): ResolvedAlarmSource;
}

/** Validates every source and refuses one declared twice. */
export function resolveAlarmSources(scope: IConstruct, sources: DeclaredSource[]): ResolvedAlarmSource[] {
  if (!Array.isArray(sources)) {
    throw validationError(scope, 'alarmSources is not a list', 'Pass a list of AlarmSource.account(...) or AlarmSource.organization(...)');
  }
  const seen = new Map<string, number>();
  return sources.map((source, index) => {
    if (!source || typeof source._resolve !== 'function') {
      throw validationError(scope,
        `alarmSources[${index}] is not an AlarmSource`,
        'Create each source with AlarmSource.account(...) or AlarmSource.organization(...)');
    }
    const resolved = source._resolve(scope, index);
    const key = `${resolved.kind}:${resolved.id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw validationError(scope,
        `alarmSources[${index}] declares the ${resolved.kind} ${resolved.id} again (alarmSources[${first}] already does)`,
        `Declare each ${resolved.kind} once and list all its Regions in that one source's regions`);
    }
    seen.set(key, index);
    return resolved;
  });
}

/** Where the rollback receives alarm events, and who may send them there. */
export interface AlarmLocationContext {
  readonly sources: ResolvedAlarmSource[];
  /** True: an undeclared alarm is a warning, because the user forwards its events some other way. */
  readonly forwardedElsewhere: boolean;
  /** The rollback's bus, in words, for the fix: `the default event bus` or `event bus <name>`. */
  readonly busDescription: string;
}

/**
 * An alarm's state-change event goes to the default event bus of the alarm's
 * own account and Region only ("Alarm events and EventBridge", CloudWatch User
 * Guide). An alarm whose ARN names another account or Region therefore
 * reaches this rollback only through a forwarding rule there and, for another
 * account, a bus policy here that lets that account put events. Without a
 * declared source for it the target would silently never roll back, so that
 * fails synth (or warns, when the user says the forwarding exists).
 *
 * An alarm whose ARN is a token (created in this app) lives in its stack's
 * account and Region: another Region's, when the stacks share values through
 * `crossRegionReferences`. Where neither the ARN nor the alarm's stack says,
 * the alarm is not checked.
 */
export function checkAlarmLocations(scope: IConstruct, alarms: cloudwatch.IAlarm[], context: AlarmLocationContext): void {
  const stack = Stack.of(scope);
  const stackAccount = isLiteral(stack.account) ? stack.account : undefined;
  const stackRegion = isLiteral(stack.region) ? stack.region : undefined;
  const undeclared: Array<{ name: string; account: string; region: string }> = [];
  for (const alarm of alarms) {
    const arn = alarm.alarmArn;
    const parts = isLiteral(arn) ? parseAlarmArn(arn) : undefined;
    const account = parts?.account ?? literal(alarm.env?.account);
    const region = parts?.region ?? literal(alarm.env?.region);
    if (account === undefined || region === undefined) continue;
    const otherAccount = stackAccount !== undefined && account !== stackAccount;
    const otherRegion = stackRegion !== undefined && region !== stackRegion;
    if (!otherAccount && !otherRegion) continue;
    const covered = context.sources.some((source) =>
      (source.kind === 'organization' || source.id === account)
      // A source without regions covers the stack's Region; when that is a token, any Region is taken as covered.
      && (source.regions ? source.regions.includes(region) : !otherRegion));
    if (!covered) {
      undeclared.push({ name: parts ? arn : alarm.node.path, account, region });
    }
  }
  if (undeclared.length === 0) {
    return;
  }
  const first = undeclared[0];
  const more = undeclared.length > 1 ? ` (and ${undeclared.length - 1} more alarm(s) of this target outside this stack's account and Region)` : '';
  const problem = `alarm ${first.name} is in account ${first.account}, Region ${first.region}${more}, but no alarmSources entry covers that account and Region: `
    + `its state-change events go to the default event bus of ${first.account} in ${first.region} and never reach ${context.busDescription} that this rollback's rules are on`;
  const fix = `Add alarmSources: [AlarmSource.account('${first.account}', { regions: ['${first.region}'] })] to the AlarmRollback `
    + `and deploy an AlarmEventForwarder in account ${first.account}, Region ${first.region} that forwards this alarm to the rollback's event bus; `
    + 'or, if its events are forwarded some other way, set alarmsForwardedElsewhere: true';
  if (context.forwardedElsewhere) {
    Annotations.of(scope).addWarningV2('cdk-alarm-rollback:alarmSourceUndeclared',
      `${problem}. alarmsForwardedElsewhere is true, so this is taken to be forwarded outside this app; if it is not, the alarm never rolls this target back.`);
    return;
  }
  throw validationError(scope, problem, fix);
}

function literal(value: string | undefined): string | undefined {
  return isLiteral(value) ? value : undefined;
}

/**
 * True when the alarm's events arrive on the default bus of this stack's
 * account and Region: its ARN names them, or it is a token (an alarm created
 * in this app, which the CDK lets this stack reference only from its own
 * account and Region). Unknown stack account or Region counts as a match.
 */
export function isInStackEnvironment(scope: IConstruct, arn: string): boolean {
  if (!isLiteral(arn)) return true;
  const parts = parseAlarmArn(arn);
  if (!parts) return false;
  const stack = Stack.of(scope);
  return (!isLiteral(stack.account) || parts.account === stack.account)
    && (!isLiteral(stack.region) || parts.region === stack.region);
}
