import { randomUUID } from 'crypto';
import { IncomingMessage, ServerResponse } from 'http';
import { CloudFormationState, CloudFormationTimings, StackEventView, StackView, stackValidationError } from './cloudformation-state';
import { FaultInjector, RecordedRequest, serveWithFault } from './fault-injection';
import { listenOnLoopback } from './loopback-server';
import cloudFormationRules from './models/cloudformation.rules.json';
import { queryInput } from './query-protocol';
import { ServiceError } from './service-error';
import { checkInput, ServiceRules } from './service-model';
import { FaultOptions, RunningService } from './service-server';
import { ClockOptions, VirtualClock } from './virtual-clock';

// Which protocol: the CloudFormation model (botocore cloudformation
// 2010-05-15, botocore 1.43.11) lists `protocols: ["query"]`, and the pinned
// @aws-sdk/client-cloudformation speaks awsQuery too: POST / with a
// form-encoded body `Action=<Operation>&Version=2010-05-15&<members>`, lists
// flattened as `Member.member.N`, answers in XML wrapped as
// `<OperationResponse><OperationResult>` (the model's `resultWrapper`), and
// errors as `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`
// (CloudFormation API Reference, sample requests and responses, and "Common
// Errors"). Nothing here can reuse startService's JSON encoder, hence the
// small query server at the bottom, with the same fault injection.

export interface LocalCloudFormationOptions extends ClockOptions, FaultOptions, CloudFormationTimings {
  /**
   * DescribeStackEvents page size. AWS pages by size (a page when the output
   * passes 1 MB, per the API Reference); a count keeps tests small and exact.
   * @default 100
   */
  readonly eventsPageSize?: number;
}

export interface LocalCloudFormation extends RunningService {
  readonly state: CloudFormationState;
}

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
const API_VERSION = '2010-05-15';

/**
 * The request rules of the operations served, generated from botocore's
 * cloudformation 2010-05-15 model (local/models/cloudformation.rules.json,
 * `npx projen service-rules`), as for the other local services:
 * test/local/service-models.test.ts holds the file equal to the installed
 * botocore. Each request's form body is read into its input structure by
 * those shapes (query-protocol.ts) and checked by service-model.ts's
 * checkInput: required members, lengths, patterns, enums and types, every
 * violation in one ValidationError, as AWS's query services list them.
 */
export const CLOUDFORMATION_RULES = cloudFormationRules as ServiceRules;

/** A value of an XML response: text, a structure (members in order) or a list (`<member>` items). */
type XmlValue = string | number | boolean | Date | undefined | XmlValue[] | { readonly [member: string]: XmlValue };

const escapeXml = (text: string) => text
  .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** awsQuery output: members in order, lists as `<member>` items, timestamps ISO 8601 (the model's default for query). */
function toXml(value: XmlValue): string {
  if (value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, member]) => member !== undefined)
      .map(([name, member]) => `<${name}>${toXml(member)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
}

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** The Stack shape. */
function stackXml(view: StackView): XmlValue {
  return {
    StackId: view.stackId,
    StackName: view.stackName,
    Parameters: view.parameters.map((parameter) => ({ ParameterKey: parameter.key, ParameterValue: parameter.value })),
    CreationTime: date(view.creationTime),
    LastUpdatedTime: date(view.lastUpdatedTime),
    RollbackConfiguration: {},
    StackStatus: view.stackStatus,
    StackStatusReason: view.stackStatusReason,
    DisableRollback: view.disableRollback,
    NotificationARNs: [],
    Capabilities: [],
    Outputs: [],
    Tags: [],
    EnableTerminationProtection: false,
    ParentId: view.parentId,
    RootId: view.rootId,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    LastOperations: view.lastOperations.map((operation) => ({ OperationType: operation.operationType, OperationId: operation.operationId })),
  };
}

/** The StackSummary shape (ListStacks). */
function stackSummaryXml(view: StackView): XmlValue {
  return {
    StackId: view.stackId,
    StackName: view.stackName,
    CreationTime: date(view.creationTime),
    LastUpdatedTime: date(view.lastUpdatedTime),
    StackStatus: view.stackStatus,
    StackStatusReason: view.stackStatusReason,
    ParentId: view.parentId,
    RootId: view.rootId,
    DriftInformation: { StackDriftStatus: 'NOT_CHECKED' },
    LastOperations: view.lastOperations.map((operation) => ({ OperationType: operation.operationType, OperationId: operation.operationId })),
  };
}

/** The StackEvent shape. */
function stackEventXml(event: StackEventView): XmlValue {
  return {
    StackId: event.stackId,
    EventId: event.eventId,
    StackName: event.stackName,
    OperationId: event.operationId,
    LogicalResourceId: event.logicalResourceId,
    PhysicalResourceId: event.physicalResourceId,
    ResourceType: event.resourceType,
    Timestamp: date(event.timestamp),
    ResourceStatus: event.resourceStatus,
    ResourceStatusReason: event.resourceStatusReason,
    ClientRequestToken: event.clientRequestToken,
  };
}

/** Reads `Prefix.member.N[.Suffix]` members of a flattened query list, in order. */
function queryList(params: URLSearchParams, prefix: string): Map<string, string>[] {
  const items = new Map<number, Map<string, string>>();
  const head = `${prefix}.member.`;
  for (const [key, value] of params) {
    if (!key.startsWith(head)) continue;
    const [index, ...rest] = key.slice(head.length).split('.');
    const n = Number(index);
    if (!Number.isInteger(n) || n < 1) throw stackValidationError(`Invalid list index in ${key}.`);
    const item = items.get(n) ?? new Map<string, string>();
    item.set(rest.join('.'), value);
    items.set(n, item);
  }
  return [...items.keys()].sort((a, b) => a - b).map((n) => items.get(n)!);
}

const bool = (value: string | null) => (value === null ? undefined : value === 'true');

interface EventsToken {
  readonly stackId: string;
  /** The last event of the previous page; the next page starts after it. */
  readonly after: string;
}

/** NextToken for DescribeStackEvents: anchored on an event, so events added meanwhile do not shift pages. */
function pageEvents(stackId: string, events: StackEventView[], size: number, nextToken: string | undefined) {
  let start = 0;
  if (nextToken !== undefined) {
    let token: EventsToken | undefined;
    try {
      token = JSON.parse(Buffer.from(nextToken, 'base64url').toString('utf8'));
    } catch {
      token = undefined;
    }
    const index = token && token.stackId === stackId ? events.findIndex((event) => event.eventId === token!.after) : -1;
    // Our wording: the API Reference does not give this refusal's text.
    if (index < 0) throw stackValidationError('The NextToken is invalid or belongs to another stack.');
    start = index + 1;
  }
  const page = events.slice(start, start + size);
  const more = start + size < events.length;
  return {
    page,
    nextToken: more ? Buffer.from(JSON.stringify({ stackId, after: page.at(-1)!.eventId } satisfies EventsToken)).toString('base64url') : undefined,
  };
}

/** An operation's result members (null for an operation without an output shape), or a ServiceError. */
type Outcome = { readonly result: XmlValue | null } | ServiceError;

/**
 * The answer to a retry of a request already carried out (same client request
 * token): the same answer, and no change to the stack. The request is not
 * counted as applied, so a test's count of cancels made stays true when the
 * SDK retries a cancel whose answer was lost.
 */
class Replayed {
  constructor(readonly result: XmlValue | null) {}
}

interface QueryRoute {
  readonly operation: string;
  readonly params: Record<string, unknown>;
  invoke(): XmlValue | null | Replayed;
}

function route(state: CloudFormationState, eventsPageSize: number, params: URLSearchParams): QueryRoute {
  const operation = params.get('Action') ?? 'Unknown';
  const record: Record<string, unknown> = Object.fromEntries(params);
  const text = (name: string) => params.get(name) ?? undefined;
  const run = (body: () => XmlValue | null | Replayed): QueryRoute => ({
    operation,
    params: record,
    invoke: () => {
      if (params.get('Action') === null) throw new ServiceError('MissingAction', 400, 'The request must contain the parameter Action.');
      if (params.get('Version') !== API_VERSION) {
        throw new ServiceError('InvalidAction', 400, `Could not find operation ${operation} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
      }
      checkInput(CLOUDFORMATION_RULES, operation, queryInput(CLOUDFORMATION_RULES, operation, params), stackValidationError);
      return body();
    },
  });

  switch (operation) {
    case 'DescribeStacks':
      return run(() => {
        // We answer every stack in one page and never issue a token.
        if (text('NextToken') !== undefined) throw stackValidationError('The NextToken is invalid.');
        const name = text('StackName');
        const stacks = name === undefined ? state.describeStacks() : [state.describeStack(name)];
        return { Stacks: stacks.map(stackXml) };
      });
    case 'ListStacks':
      return run(() => {
        if (text('NextToken') !== undefined) throw stackValidationError('The NextToken is invalid.');
        const filter = queryList(params, 'StackStatusFilter').map((item) => item.get('') ?? '');
        const stacks = state.describeStacks().filter((stack) => filter.length === 0 || filter.includes(stack.stackStatus));
        return { StackSummaries: stacks.map(stackSummaryXml) };
      });
    case 'DescribeStackEvents':
      return run(() => {
        const name = text('StackName')!;
        const stackId = state.describeStack(name).stackId;
        const { page, nextToken } = pageEvents(stackId, state.stackEvents(name), eventsPageSize, text('NextToken'));
        return { StackEvents: page.map(stackEventXml), NextToken: nextToken };
      });
    case 'CancelUpdateStack':
      return run(() => {
        const cancelled = state.cancelUpdateStack(text('StackName')!, text('ClientRequestToken'));
        return cancelled ? null : new Replayed(null);
      });
    case 'UpdateStack':
      return run(() => {
        const result = state.updateStack(text('StackName')!, {
          templateBody: text('TemplateBody'),
          templateUrl: text('TemplateURL'),
          usePreviousTemplate: bool(params.get('UsePreviousTemplate')),
          disableRollback: bool(params.get('DisableRollback')),
          clientRequestToken: text('ClientRequestToken'),
          parameters: queryList(params, 'Parameters').map((item) => ({
            key: item.get('ParameterKey') ?? '',
            value: item.get('ParameterValue'),
            usePreviousValue: bool(item.get('UsePreviousValue') ?? null),
          })),
        });
        return { StackId: result.stackId, OperationId: result.operationId };
      });
    case 'RollbackStack':
      return run(() => {
        const result = state.rollbackStack(text('StackName')!, text('ClientRequestToken'));
        return { StackId: result.stackId, OperationId: result.operationId };
      });
    case 'ContinueUpdateRollback':
      return run(() => {
        state.continueUpdateRollback(text('StackName')!, text('ClientRequestToken'));
        return {};
      });
    default:
      return {
        operation,
        params: record,
        invoke: () => {
          if (params.get('Action') === null) throw new ServiceError('MissingAction', 400, 'The request must contain the parameter Action.');
          throw new ServiceError('InvalidAction', 400, `Could not find operation ${operation} for version ${params.get('Version') ?? 'NO_VERSION_SPECIFIED'}`);
        },
      };
  }
}

/** `<OperationResponse><OperationResult>...</OperationResult><ResponseMetadata/>`; no Result for an operation without output. */
export function queryResponse(operation: string, result: XmlValue | null, requestId: string): string {
  const body = result === null ? '' : `<${operation}Result>${toXml(result)}</${operation}Result>`;
  return `<${operation}Response xmlns="${XMLNS}">${body}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`;
}

/** The awsQuery error body: Type is Sender for a 4xx, Receiver for a 5xx. */
export function queryError(error: ServiceError, requestId: string): string {
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${escapeXml(error.name)}</Code>`
    + `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

/**
 * Starts a local AWS CloudFormation (awsQuery) on 127.0.0.1 and a random
 * port. Point the real CloudFormationClient (or the AWS CLI's
 * `--endpoint-url`) at `endpoint` with any static credentials.
 */
export async function startLocalCloudFormation(options: LocalCloudFormationOptions = {}): Promise<LocalCloudFormation> {
  const clock = new VirtualClock(options);
  const state = new CloudFormationState(clock, options);
  const eventsPageSize = options.eventsPageSize ?? 100;
  if (!Number.isInteger(eventsPageSize) || eventsPageSize < 1) {
    throw new Error(`eventsPageSize must be a positive integer, got ${eventsPageSize}`);
  }
  const requests: RecordedRequest[] = [];
  const faults = new FaultInjector(options.faults, options.random);

  const send = (res: ServerResponse, record: RecordedRequest, status: number, body: (requestId: string) => string) => {
    record.status = status;
    if (res.destroyed) return;
    const requestId = randomUUID();
    const text = body(requestId);
    res.writeHead(status, {
      'content-type': 'text/xml',
      'content-length': String(Buffer.byteLength(text)),
      // The SDK reports this as $metadata.requestId; the body carries the same id.
      'x-amzn-requestid': requestId,
    });
    res.end(text);
  };
  const sendError = (res: ServerResponse, record: RecordedRequest, error: ServiceError) => {
    record.error = error.name;
    send(res, record, error.status, (requestId) => queryError(error, requestId));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse, body: string) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const params = new URLSearchParams(url.search);
    new URLSearchParams(body).forEach((value, key) => params.set(key, value));
    const matched = route(state, eventsPageSize, params);
    const fault = faults.pick(matched.operation);
    const record: RecordedRequest = {
      operation: matched.operation,
      method: req.method ?? 'POST',
      url: req.url ?? '/',
      params: matched.params,
      headers: { ...req.headers },
      serviceTime: clock.now(),
      ...(fault ? { fault } : {}),
    };
    requests.push(record);
    await serveWithFault<Outcome>(fault, {
      req,
      apply: () => {
        try {
          const result = matched.invoke();
          if (result instanceof Replayed) return { result: result.result };
          record.applied = true;
          return { result };
        } catch (error) {
          return error instanceof ServiceError ? error : new ServiceError('InternalFailure', 500, String(error));
        }
      },
      answer: (outcome) => (outcome instanceof ServiceError
        ? sendError(res, record, outcome)
        : send(res, record, 200, (requestId) => queryResponse(matched.operation, outcome.result, requestId))),
      // Throttling (400, Sender, "Rate exceeded") is what CloudFormation
      // answers over its rate (e.g. aws/aws-sam-cli#2671); InternalFailure
      // (500) is a common error of the API Reference. The SDKs retry both.
      fail: (kind) => sendError(res, record, kind === 'throttle'
        ? new ServiceError('Throttling', 400, 'Rate exceeded')
        : new ServiceError('InternalFailure', 500, 'Injected internal failure')),
      sleep: (ms) => server.sleep(ms),
    });
  };

  const server = await listenOnLoopback((req, res, body) => handle(req, res, body.toString('utf8')));
  return { endpoint: server.endpoint, requests, faults, state, close: () => server.close() };
}
