import { Annotations, DefaultTokenResolver, IPostProcessor, IResolvable, IResolveContext, Reference, Stack, StringConcat, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { rootOf } from './root-stack';
import { validationError } from '../../private/validate';

/** The warning's id, for `Annotations.acknowledgeWarning`. */
export const BAKE_GATE_TAG_ALARMS_WARNING = 'cdk-alarm-rollback:bakeGateTagAlarms';

/** What the gate's checks need to know of the target. */
export interface GateAlarmsContext {
  /** The stack the gate is placed in (the guarded stack's root). */
  readonly guarded: Stack;
  /** The AlarmRollback's stack. */
  readonly own: Stack;
  /** The target's alarm ARNs (tokens allowed). */
  readonly alarmArns: readonly string[];
  /** The target's alarm tags, if it chooses alarms by tag. */
  readonly alarmTags?: Record<string, string>;
}

/**
 * Checks a baked target's alarms at synth: refuses alarms created in the
 * guarded stack (a dependency cycle CDK would report in its own words) and
 * warns that alarms chosen by tag are not read by the gate.
 */
export function checkGateAlarms(scope: IConstruct, context: GateAlarmsContext): void {
  refuseAlarmsOfGuardedStack(scope, context);
  if (context.alarmTags !== undefined) {
    const tags = Object.entries(context.alarmTags).map(([key, value]) => `${key}=${value}`).join(', ');
    Annotations.of(scope).addWarningV2(BAKE_GATE_TAG_ALARMS_WARNING,
      `the bake gate of stack ${context.guarded.node.path} reads only the alarms listed in alarms (${context.alarmArns.length}), by ARN: `
      + `it cannot read the alarms this target matches by alarmTags (${tags}), which it does not know. `
      + 'During the bake, such an alarm cancels the update only through its state-change event (delivered to the handler, which calls CancelUpdateStack); '
      + 'one already firing when the update starts, or whose event is late or lost, does not fail the gate. '
      + 'List the alarms that must fail the bake in alarms, too');
  }
}

/**
 * An alarm created in the guarded stack (or a stack nested in it) makes the
 * AlarmRollback's stack import its ARN, so that stack depends on the guarded
 * stack; the gate makes the guarded stack depend on the AlarmRollback's
 * stack (its provider must exist first). CDK reports the cycle at synth in
 * terms of stacks; this names the alarm and the way out, before CDK gets there.
 */
function refuseAlarmsOfGuardedStack(scope: IConstruct, { guarded, own, alarmArns }: GateAlarmsContext): void {
  const inGuarded = referencedConstructs(own, alarmArns).filter((target) => rootOf(Stack.of(target)) === guarded);
  if (inGuarded.length === 0) {
    return;
  }
  const paths = [...new Set(inGuarded.map((target) => target.node.path.replace(/\/Resource$/, '')))];
  throw validationError(scope,
    `alarm${paths.length > 1 ? 's' : ''} ${paths.join(', ')} ${paths.length > 1 ? 'are' : 'is'} created in stack ${guarded.node.path}, the stack this target bakes: `
    + `the gate makes ${guarded.node.path} depend on this AlarmRollback's stack ${own.node.path} (its provider must exist first), `
    + `and reading the alarm's ARN would make ${own.node.path} depend on ${guarded.node.path}, a cycle no deployment order can satisfy`,
    `Create the alarm in ${own.node.path} or in a monitoring stack both can depend on, or give it an alarmName and pass `
    + `cloudwatch.Alarm.fromAlarmName(<a construct of ${own.node.path}>, id, alarmName) to addTarget instead`);
}

/** Every construct `values` refer to (GetAtt, Ref), through joins and lazy values, as `consumer` would resolve them. */
function referencedConstructs(consumer: Stack, values: readonly string[]): IConstruct[] {
  const collector = new ReferenceCollector();
  Tokenization.resolve([...values], { scope: consumer, resolver: collector, preparing: true });
  return [...collector.targets];
}

/** Resolves as CDK does, remembering the target of each reference on the way. */
class ReferenceCollector extends DefaultTokenResolver {
  public readonly targets = new Set<IConstruct>();

  constructor() {
    super(new StringConcat());
  }

  public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (token instanceof Reference) {
      this.targets.add(token.target);
    }
    return super.resolveToken(token, context, postProcessor);
  }
}
