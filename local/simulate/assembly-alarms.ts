import { ResolvedAssembly } from './resolve-assembly';
import { SimulationInputError } from './simulation-input-error';

/** An alarm of the assembly: one the stacks create, or one a rule watches by ARN (an imported alarm). */
export interface AssemblyAlarm {
  readonly arn: string;
  readonly name: string;
  /** True for an `AWS::CloudWatch::CompositeAlarm`. */
  readonly composite: boolean;
  /** `detail.configuration` of its state change events, from the alarm's properties; a description only for an imported alarm. */
  readonly configuration: Record<string, unknown>;
  /** The targets of the rules that watch it. */
  readonly watchedBy: readonly string[];
  /**
   * The tags its state-change events carry in `detail.alarmTags`: its `Tags`
   * when `ActionConfiguration.AlarmTagsPropagation` is enabled, narrowed by
   * `IncludedTagKeys` or `ExcludedTagKeys`, without `aws:` keys, which never
   * propagate ("Alarm tags in action payloads", CloudWatch User Guide).
   * Undefined for an alarm without propagation, and for an imported one.
   */
  readonly alarmTags?: Readonly<Record<string, string>>;
}

/**
 * Every alarm an event could be made for: the stacks' alarm resources with
 * the ARNs they get when deployed, and the alarms the rules watch that no
 * stack creates. Watched alarms first, in rule order.
 */
export function assemblyAlarms(resolved: ResolvedAssembly): AssemblyAlarm[] {
  const created = new Map<string, Omit<AssemblyAlarm, 'watchedBy'>>();
  for (const [stack, resolver] of resolved.resolvers) {
    for (const [logicalId, resource] of Object.entries(stack.template.Resources ?? {})) {
      const composite = resource.Type === 'AWS::CloudWatch::CompositeAlarm';
      if (resource.Type !== 'AWS::CloudWatch::Alarm' && !composite) continue;
      const arn = resolver.getAtt(logicalId, 'Arn');
      const properties = resolvedProperties(() => resolver.resolve(resource.Properties ?? {}), resource.Properties ?? {});
      const configuration = composite ? compositeConfiguration(properties) : metricConfiguration(properties);
      const alarmTags = composite ? undefined : propagatedTags(properties);
      created.set(arn, { arn, name: alarmName(arn), composite, configuration, ...(alarmTags ? { alarmTags } : {}) });
    }
  }
  const watchers = new Map<string, string[]>();
  for (const rule of resolved.rules) {
    for (const arn of rule.target.alarmArns) watchers.set(arn, [...(watchers.get(arn) ?? []), rule.target.name]);
  }
  // A forwarding rule's alarms are watched too (by the rule that forwards them), so `event` can write their events.
  for (const rule of resolved.buses.forwardingRules) {
    const resources = (rule.eventPattern as { resources?: unknown }).resources;
    for (const arn of Array.isArray(resources) ? resources : []) {
      if (typeof arn === 'string' && arn.includes(':alarm:')) watchers.set(arn, [...(watchers.get(arn) ?? []), rule.path]);
    }
  }
  // A tag-routed target watches every alarm whose events carry all of its tags.
  for (const rule of resolved.rules) {
    const wanted = Object.entries(rule.target.alarmTags ?? {});
    if (wanted.length === 0) continue;
    for (const alarm of created.values()) {
      if (alarm.alarmTags && wanted.every(([key, value]) => alarm.alarmTags![key] === value)) {
        watchers.set(alarm.arn, [...(watchers.get(alarm.arn) ?? []), rule.target.name]);
      }
    }
  }
  const arns = [...new Set([...watchers.keys(), ...created.keys()])];
  return arns.map((arn) => ({
    ...(created.get(arn) ?? { arn, name: alarmName(arn), composite: false, configuration: { description: 'an alarm the stack imports' } }),
    watchedBy: watchers.get(arn) ?? [],
  }));
}

/**
 * The alarm `--alarm` names: its full ARN, or its name when one alarm of the
 * assembly has it. A miss names the closest alarm names, so a typo is fixed
 * from the message.
 */
export function findAssemblyAlarm(
  alarms: readonly AssemblyAlarm[],
  wanted: string,
  suggest: (word: string, known: string[]) => string | undefined,
): AssemblyAlarm {
  const byArn = alarms.find((alarm) => alarm.arn === wanted);
  if (byArn) return byArn;
  const byName = alarms.filter((alarm) => alarm.name === wanted);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) {
    throw new SimulationInputError(`${byName.length} alarms of the assembly are named ${wanted} (${byName.map((alarm) => alarm.arn).join(', ')}): pass the ARN with --alarm`);
  }
  const names = alarms.map((alarm) => alarm.name);
  const near = suggest(wanted.split(':alarm:').pop() ?? wanted, names);
  throw new SimulationInputError(`no alarm of the assembly is named or has the ARN ${wanted}${near ? `; did you mean ${near}?` : ''} Alarms: ${names.join(', ') || 'none'}`);
}

/** The properties as deployed; as written when an intrinsic the simulator does not resolve is in them (the event's configuration is informative only). */
function resolvedProperties(resolve: () => unknown, declared: Record<string, any>): Record<string, any> {
  try {
    return resolve() as Record<string, any>;
  } catch {
    return declared;
  }
}

/** The tags a metric alarm's events carry, or undefined when it does not propagate them. */
function propagatedTags(properties: Record<string, any>): Record<string, string> | undefined {
  const propagation = properties.ActionConfiguration?.AlarmTagsPropagation;
  if (propagation?.Enabled !== true && propagation?.Enabled !== 'true') return undefined;
  const included: unknown[] | undefined = propagation.IncludedTagKeys;
  const excluded: unknown[] = propagation.ExcludedTagKeys ?? [];
  const tags: Record<string, string> = {};
  for (const tag of Array.isArray(properties.Tags) ? properties.Tags : []) {
    const key = String(tag?.Key ?? '');
    if (key === '' || key.toLowerCase().startsWith('aws:')) continue;
    if (included !== undefined && !included.includes(key)) continue;
    if (excluded.includes(key)) continue;
    tags[key] = String(tag.Value ?? '');
  }
  return tags;
}

function alarmName(arn: string): string {
  return arn.split(':').slice(6).join(':');
}

/**
 * A metric alarm's `configuration` as CloudWatch puts it in the event: one
 * `metrics` entry per metric, either the single metric of `MetricName` (id
 * `m1`) or the alarm's `Metrics` queries.
 */
function metricConfiguration(properties: Record<string, any>): Record<string, unknown> {
  const metricStat = (metric: Record<string, any>, period: unknown, stat: unknown) => ({
    metric: {
      namespace: metric.Namespace,
      name: metric.MetricName,
      dimensions: Object.fromEntries((metric.Dimensions ?? []).map((d: { Name: string; Value: string }) => [d.Name, d.Value])),
    },
    period,
    stat,
  });
  const metrics = Array.isArray(properties.Metrics)
    ? properties.Metrics.map((query: Record<string, any>) => ({
      id: query.Id,
      ...(query.MetricStat ? { metricStat: metricStat(query.MetricStat.Metric ?? {}, query.MetricStat.Period, query.MetricStat.Stat) } : {}),
      ...(query.Expression ? { expression: query.Expression } : {}),
      ...(query.Label ? { label: query.Label } : {}),
      returnData: query.ReturnData ?? true,
    }))
    : [{ id: 'm1', metricStat: metricStat(properties, properties.Period, properties.Statistic ?? properties.ExtendedStatistic), returnData: true }];
  return { ...(properties.AlarmDescription ? { description: properties.AlarmDescription } : {}), metrics };
}

function compositeConfiguration(properties: Record<string, any>): Record<string, unknown> {
  return {
    alarmRule: properties.AlarmRule,
    ...(properties.AlarmDescription ? { description: properties.AlarmDescription } : {}),
  };
}
