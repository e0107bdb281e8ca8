import { Aspects, AspectPriority, CfnResource, IAspect, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { IConstruct } from 'constructs';
import { Rules } from '../contract';
import { describeValue, validationError } from '../private/validate';

/**
 * Tag keys in one `IncludedTagKeys` or `ExcludedTagKeys` list: 1 to 50
 * ("AlarmTagsPropagation", CloudWatch API Reference).
 */
const MAX_TAG_KEYS = 50;

/** The alarm resource types whose ActionConfiguration takes AlarmTagsPropagation. */
const PROPAGATING_TYPES = new Set([cloudwatch.CfnAlarm.CFN_RESOURCE_TYPE_NAME, cloudwatch.CfnCompositeAlarm.CFN_RESOURCE_TYPE_NAME]);

/** Options of `AlarmTagPropagation`. */
export interface AlarmTagPropagationOptions {
  /**
   * Put only these tags of each alarm into its events (1 to 50 keys).
   * Cannot be given with `excludedTagKeys`. A tag an `AlarmRollback` target
   * routes by must be among them.
   *
   * @default - every tag of the alarm, also tags added later (but none starting with `aws:`)
   */
  readonly includedTagKeys?: string[];

  /**
   * Put every tag of each alarm into its events except these (1 to 50 keys).
   * Cannot be given with `includedTagKeys`.
   *
   * @default - leave out none
   */
  readonly excludedTagKeys?: string[];
}

/**
 * Turns on tag propagation for every CloudWatch metric and composite alarm
 * created in a scope (`AWS::CloudWatch::Alarm` and
 * `AWS::CloudWatch::CompositeAlarm`, such as a `cloudwatch.Alarm` or a
 * `cloudwatch.CompositeAlarm`), so that each
 * alarm's state-change events carry its tags in `detail.alarmTags` and an
 * `AlarmRollback` target can be watched by tags (`alarmTags` of `addTarget`).
 *
 * CloudWatch includes the tags only when the alarm's `ActionConfiguration`
 * has `AlarmTagsPropagation` enabled ("AlarmTagsPropagation", CloudWatch API
 * Reference; "AWS::CloudWatch::Alarm ActionConfiguration", CloudFormation
 * Template Reference). Composite alarms take the same setting:
 * `ActionConfiguration.AlarmTagsPropagation` is in the CloudFormation schema
 * of `AWS::CloudWatch::CompositeAlarm` (aws-cdk-lib's
 * `CfnCompositeAlarm.ActionConfigurationProperty`, 2.275.0). The
 * aws-cdk-lib this library builds on (2.257) has neither property
 * (`CfnAlarm.ActionConfigurationProperty` also arrived in 2.275.0), so the
 * aspect sets it with a property override, which writes the same template.
 *
 * Whoever creates or updates an alarm with propagation on needs
 * `cloudwatch:ListTagsForResource` on the alarm, besides
 * `cloudwatch:PutMetricAlarm` (the same API page): grant it to the
 * CloudFormation execution role if it is scoped down.
 *
 * Log alarms (`AWS::CloudWatch::LogAlarm`) are left alone, as are alarms
 * created outside the scope (imported by ARN); turn propagation on where
 * they are made.
 *
 * @example
 * declare const app: App;
 * AlarmTagPropagation.enable(app, { includedTagKeys: ['rollback'] });
 */
export class AlarmTagPropagation implements IAspect {
  /**
   * Turns on tag propagation for every CloudWatch metric and composite alarm created in
   * `scope`, before the other aspects that read the template run.
   *
   * @param scope the app, a stage, a stack or any construct whose alarms to change
   * @param options which tags to propagate
   */
  public static enable(scope: IConstruct, options: AlarmTagPropagationOptions = {}): void {
    const problem = optionsProblem(options);
    if (problem) {
      throw validationError(scope, problem.problem, problem.fix);
    }
    Aspects.of(scope).add(new AlarmTagPropagation(options), { priority: AspectPriority.MUTATING });
  }

  private readonly setting: Record<string, unknown>;

  /**
   * @param options which tags to propagate
   */
  constructor(options: AlarmTagPropagationOptions = {}) {
    const problem = optionsProblem(options);
    if (problem) {
      const error = new Error(`${problem.problem}. ${problem.fix}`);
      error.name = 'ValidationError';
      throw error;
    }
    this.setting = {
      Enabled: true,
      ...(options.includedTagKeys ? { IncludedTagKeys: [...options.includedTagKeys] } : {}),
      ...(options.excludedTagKeys ? { ExcludedTagKeys: [...options.excludedTagKeys] } : {}),
    };
  }

  public visit(node: IConstruct): void {
    // By resource type, so an alarm made with CfnResource or another L2 is found too.
    if (CfnResource.isCfnResource(node) && PROPAGATING_TYPES.has(node.cfnResourceType)) {
      // The path sets this one field; other ActionConfiguration settings stay.
      node.addPropertyOverride('ActionConfiguration.AlarmTagsPropagation', this.setting);
    }
  }
}

/** What is wrong with the options, in the words of a validation error, or undefined. */
function optionsProblem(options: AlarmTagPropagationOptions): { problem: string; fix: string } | undefined {
  const { includedTagKeys: included, excludedTagKeys: excluded } = options;
  if (included !== undefined && excluded !== undefined) {
    return {
      problem: 'AlarmTagPropagation was given both includedTagKeys and excludedTagKeys; CloudWatch takes one or the other',
      fix: 'Give includedTagKeys to propagate only those tags, or excludedTagKeys to leave those out',
    };
  }
  for (const [name, keys] of [['includedTagKeys', included], ['excludedTagKeys', excluded]] as const) {
    if (keys === undefined) continue;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_TAG_KEYS) {
      return {
        problem: `${name} is ${Array.isArray(keys) ? `a list of ${keys.length} keys` : describeValue(keys)}; CloudWatch takes 1 to ${MAX_TAG_KEYS} tag keys`,
        fix: `Give 1 to ${MAX_TAG_KEYS} keys, or leave ${name} out`,
      };
    }
    const seen = new Set<string>();
    for (const key of keys) {
      if (Token.isUnresolved(key)) {
        return { problem: `${name} has a key that is a token`, fix: 'Use literal tag keys' };
      }
      // The API's own limit is 1 to 128 characters; an "aws:" key is never
      // propagated, so naming one is a mistake worth stopping at synth.
      if (!Rules.ALARM_TAG_KEY.test(key)) {
        return {
          problem: `${name} has the key ${describeValue(key)}, which is not ${Rules.ALARM_TAG_KEY.says}`,
          fix: 'Use the keys of tags you put on the alarms; keys starting with "aws:" are never propagated',
        };
      }
      if (seen.has(key)) {
        return { problem: `${name} lists ${describeValue(key)} twice`, fix: 'List each key once' };
      }
      seen.add(key);
    }
  }
  return undefined;
}
