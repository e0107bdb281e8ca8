import { randomUUID } from 'crypto';
import { listenOnLoopback, LoopbackServer } from '../../local/loopback-server';

/** A deployed stack as the stub serves it: its template and its resources' physical ids. */
export interface StubStack {
  readonly template: { readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }> };
  /** Physical ids by logical id. */
  readonly physicalIds: Record<string, string>;
}

export interface CloudFormationStub extends LoopbackServer {
  /** `Action` and `StackName` of every request, in order. */
  readonly requests: { readonly action: string; readonly stackName?: string; readonly templateStage?: string }[];
}

/**
 * Just enough of CloudFormation's query protocol (form-encoded requests, XML
 * answers; "Query requests" in the AWS CloudFormation API Reference) for
 * GetTemplate and ListStackResources of the stacks given, two resources per
 * page so the caller's paging is exercised. An unknown stack gets the
 * ValidationError CloudFormation answers with.
 */
export async function startCloudFormationStub(stacks: Record<string, StubStack>): Promise<CloudFormationStub> {
  const requests: CloudFormationStub['requests'][number][] = [];
  const server = await listenOnLoopback((_req, res, body) => {
    const form = new URLSearchParams(body.toString('utf8'));
    const action = form.get('Action') ?? '';
    const stackName = form.get('StackName') ?? undefined;
    requests.push({ action, stackName, templateStage: form.get('TemplateStage') ?? undefined });
    const reply = (status: number, xml: string) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
      res.end(xml);
    };
    const stack = stackName !== undefined ? stacks[stackName] : undefined;
    if (!stack) {
      reply(400, `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escape(stackName ?? '')} does not exist</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
      return;
    }
    if (action === 'GetTemplate') {
      reply(200, response(action, `<TemplateBody>${escape(JSON.stringify(stack.template))}</TemplateBody><StagesAvailable><member>Original</member><member>Processed</member></StagesAvailable>`));
    } else if (action === 'ListStackResources') {
      const all = Object.entries(stack.template.Resources);
      const start = Number(form.get('NextToken') ?? 0);
      const page = all.slice(start, start + 2).map(([logicalId, resource]) => `<member><LogicalResourceId>${escape(logicalId)}</LogicalResourceId>`
        + `<PhysicalResourceId>${escape(stack.physicalIds[logicalId] ?? `${stackName}-${logicalId}`)}</PhysicalResourceId>`
        + `<ResourceType>${escape(resource.Type)}</ResourceType><LastUpdatedTimestamp>2026-11-01T00:00:00.000Z</LastUpdatedTimestamp>`
        + '<ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>');
      const next = start + 2 < all.length ? `<NextToken>${start + 2}</NextToken>` : '';
      reply(200, response(action, `<StackResourceSummaries>${page.join('')}</StackResourceSummaries>${next}`));
    } else {
      reply(400, `<ErrorResponse><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>the stub does not serve ${escape(action)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`);
    }
  });
  return Object.assign(server, { requests });
}

function response(action: string, result: string): string {
  return `<${action}Response xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><${action}Result>${result}</${action}Result>`
    + `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
