import { CloudFormationClient, GetTemplateCommand, ListStackResourcesCommand, StackResourceSummary } from '@aws-sdk/client-cloudformation';
import { HandlerEnv } from '../../src/contract';

/** A ledger table a stack's rollback handler writes to. */
export interface StackLedger {
  /** The table's name, as DynamoDB knows it. */
  readonly table: string;
  /** The handler function's logical id, which names the AlarmRollback it belongs to. */
  readonly function: string;
}

/**
 * Finds the ledgers of a deployed stack the way `simulate` finds rollback
 * handlers: the stack's `AWS::Lambda::Function`s whose environment has the
 * `ROLLBACK_LEDGER_TABLE` variable (the construct sets it on its handler,
 * whether the table is the construct's own or one given as `ledger`). The
 * variable's value in the deployed template is a `Ref` to a table of the
 * stack, resolved to the table's name through the stack's resources, or a
 * plain name. Nested stacks are not searched.
 *
 * GetTemplate's `Processed` stage is the template after transforms, so a
 * function a transform expands to is there as an AWS::Lambda::Function; with
 * no transforms it is the submitted template. ListStackResources pages
 * through every resource with its physical id. (Both in the AWS
 * CloudFormation API Reference.)
 */
export async function findStackLedgers(client: CloudFormationClient, stackName: string): Promise<StackLedger[]> {
  const [template, resources] = await Promise.all([readTemplate(client, stackName), listResources(client, stackName)]);
  const physicalIds = new Map(resources.map((resource) => [resource.LogicalResourceId, resource.PhysicalResourceId]));
  const ledgers: StackLedger[] = [];
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource?.Type !== 'AWS::Lambda::Function') continue;
    const value = resource.Properties?.Environment?.Variables?.[HandlerEnv.LEDGER_TABLE];
    if (value === undefined) continue;
    const table = typeof value === 'string' ? value
      : typeof value?.Ref === 'string' ? physicalIds.get(value.Ref) : undefined;
    if (!table) {
      throw new Error(`the rollback handler ${logicalId} of stack ${stackName} gets its ledger table from ${JSON.stringify(value)}, which the command does not resolve: pass the table's name with --table`);
    }
    if (!ledgers.some((known) => known.table === table)) ledgers.push({ table, function: logicalId });
  }
  return ledgers;
}

async function readTemplate(client: CloudFormationClient, stackName: string): Promise<{ Resources?: Record<string, any> }> {
  const { TemplateBody } = await client.send(new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Processed' }));
  try {
    return JSON.parse(TemplateBody ?? '{}');
  } catch {
    // A stack written by hand in YAML comes back as YAML; the CDK always submits JSON.
    throw new Error(`the template of stack ${stackName} is not JSON (a stack not deployed by the CDK?): pass the ledger table's name with --table`);
  }
}

async function listResources(client: CloudFormationClient, stackName: string): Promise<StackResourceSummary[]> {
  const resources: StackResourceSummary[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new ListStackResourcesCommand({ StackName: stackName, NextToken: token }));
    resources.push(...(page.StackResourceSummaries ?? []));
    token = page.NextToken;
  } while (token);
  return resources;
}
