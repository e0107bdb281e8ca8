/** An EventBridge rule target's input settings, as in `AWS::Events::Rule` `Targets`, intrinsics resolved. */
export interface TargetInputSettings {
  /** Constant JSON text sent instead of the event. */
  readonly Input?: string;
  /** A JSONPath of the part of the event to send. */
  readonly InputPath?: string;
  readonly InputTransformer?: {
    readonly InputPathsMap?: Readonly<Record<string, string>>;
    readonly InputTemplate: string;
  };
}

/** What EventBridge fills the reserved `<aws.events.*>` placeholders with. */
export interface RuleContext {
  readonly ruleArn: string;
  readonly ruleName: string;
  /** @default - now */
  readonly ingestionTime?: string;
}

/**
 * The payload EventBridge sends a target for `event`:
 * - `Input`: the constant JSON, parsed
 * - `InputPath`: the part of the event the JSONPath selects
 * - `InputTransformer`: `InputPathsMap` values (JSONPaths such as `$` or
 *   `$.detail.state.value`) substituted for `<name>` in `InputTemplate`. A
 *   placeholder inside quotes receives the value's text (strings without
 *   their quotes, escaped for JSON); anywhere else it receives the value as
 *   JSON. A path that selects nothing gives `null` (an empty string inside
 *   quotes). The reserved `<aws.events.rule-arn>`, `<aws.events.rule-name>`,
 *   `<aws.events.event.ingestion-time>`, `<aws.events.event>` and
 *   `<aws.events.event.json>` are filled as the EventBridge User Guide's
 *   "Amazon EventBridge input transformation" (Predefined variables) says:
 *   `aws.events.event` is the original event WITHOUT its `detail` field,
 *   `aws.events.event.json` the whole event. A result that is JSON is sent as
 *   JSON, anything else as a string.
 * - none of them: the whole event
 */
export function buildTargetInput(settings: TargetInputSettings, event: unknown, context: RuleContext): unknown {
  if (settings.Input !== undefined) {
    return parseJson(settings.Input, 'the rule target\'s Input');
  }
  if (settings.InputPath !== undefined) {
    return selectPath(event, settings.InputPath) ?? null;
  }
  if (settings.InputTransformer) {
    return transform(settings.InputTransformer, event, context);
  }
  return event;
}

function transform(transformer: NonNullable<TargetInputSettings['InputTransformer']>, event: unknown, context: RuleContext): unknown {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.InputPathsMap ?? {})) {
    values.set(name, selectPath(event, path));
  }
  values.set('aws.events.rule-arn', context.ruleArn);
  values.set('aws.events.rule-name', context.ruleName);
  values.set('aws.events.event.ingestion-time', context.ingestionTime ?? new Date().toISOString());
  values.set('aws.events.event', withoutDetail(event));
  values.set('aws.events.event.json', event);

  const template = transformer.InputTemplate;
  const text = template.replace(/<([A-Za-z0-9_.-]+)>/g, (placeholder: string, name: string, offset: number) => {
    if (!values.has(name)) return placeholder;
    const value = values.get(name);
    const quoted = template[offset - 1] === '"' && template[offset + placeholder.length] === '"';
    if (quoted) {
      if (value === undefined || value === null) return '';
      const raw = typeof value === 'string' ? value : JSON.stringify(value);
      return JSON.stringify(raw).slice(1, -1);
    }
    return value === undefined ? 'null' : JSON.stringify(value);
  });
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The event as `<aws.events.event>` carries it: every field but `detail`. */
function withoutDetail(event: unknown): unknown {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) return event;
  const { detail: _detail, ...rest } = event as Record<string, unknown>;
  return rest;
}

/**
 * The value at an EventBridge JSONPath: `$`, `$.a.b`, `$.a[0]`, `$['a-b']`.
 * Undefined when nothing is there.
 */
export function selectPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$')) {
    throw new Error(`an input path is a JSONPath starting with $, got ${JSON.stringify(path)}`);
  }
  const segments: Array<string | number> = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/gy;
  pattern.lastIndex = 1;
  let position = 1;
  while (position < path.length) {
    const match = pattern.exec(path);
    if (!match) {
      throw new Error(`cannot read the JSONPath ${JSON.stringify(path)} at character ${position}`);
    }
    segments.push(match[2] !== undefined ? Number(match[2]) : (match[1] ?? match[3] ?? match[4]));
    position = pattern.lastIndex;
  }
  let current: unknown = value;
  for (const segment of segments) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`${what} is not JSON: ${text.slice(0, 80)}`);
  }
}
