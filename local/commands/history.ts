import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { Command, runCommand } from './command';
import { closest, parseFlags, UsageError } from './flags';
import { RollbackOutcome } from '../../src/contract';
import { findStackLedgers, formatHistory, LedgerRecord, newestFirst, parseSince, readLedger } from '../history';

const usage = 'usage: cdk-alarm-rollback history (--stack NAME | --table NAME) [--target NAME] [--outcome OUTCOME] [--since 2h] [--limit 50] [--json] [--region R] [--profile P]';

const OUTCOMES: readonly string[] = Object.values(RollbackOutcome);

/** `history`: the ledger's records, newest first, read with the user's credentials. */
export const historyCommand: Command = {
  usage,
  help: `${usage}

Reads the ledger of a deployed AlarmRollback with your AWS credentials (the
SDK's default chain: environment, shared config and credentials files, SSO,
container and instance roles) and prints its records, newest first.

Which ledger:
  --stack NAME     a deployed stack: its ledger is the table its rollback
                   handler writes to, i.e. the ROLLBACK_LEDGER_TABLE variable
                   of the stack's AWS::Lambda::Function (the construct's own
                   table or the one given as \`ledger\`), read from the
                   deployed template (cloudformation:GetTemplate) and the
                   stack's resources (cloudformation:ListStackResources).
                   Several AlarmRollbacks in a stack: their records merge.
                   Nested stacks are not searched: use --table.
  --table NAME     the ledger table's name

Which records (dynamodb:Query, or dynamodb:Scan with neither of the first two):
  --target NAME    one target, by its name (the construct path the ledger
                   shows, e.g. MyStack/Rollback/ConfigRollout)
  --outcome NAME   one outcome (${OUTCOMES.join(', ')}),
                   read from the byOutcome index
  --since AGE|TIME recorded since an age (30m, 2h, 7d) or an ISO 8601 time
                   with a zone (2026-11-01T00:00:00Z)
  --limit N        at most N records, newest first (default 50; 0 for all)

Output and connection:
  --json           the records as stored (a JSON list) instead of a table
  --region R       the region of the stack or table (default: the SDK's, from
                   AWS_REGION or the profile)
  --profile P      a profile of your shared AWS config
  --endpoint-url URL                 DynamoDB endpoint (a local DynamoDB, tests)
  --cloudformation-endpoint-url URL  CloudFormation endpoint (tests)
`,
  run: (args, io) => {
    let where = 'the ledger';
    return runCommand('history', io, async () => {
      const { values } = parseFlags(args, {
        'stack': { type: 'string' },
        'table': { type: 'string' },
        'target': { type: 'string' },
        'outcome': { type: 'string' },
        'since': { type: 'string' },
        'limit': { type: 'string' },
        'json': { type: 'boolean' },
        'region': { type: 'string' },
        'profile': { type: 'string' },
        'endpoint-url': { type: 'string' },
        'cloudformation-endpoint-url': { type: 'string' },
      }, usage);
      if (!values.stack === !values.table) {
        throw new UsageError(`history needs exactly one of --stack (a deployed stack with an AlarmRollback) or --table (the ledger table's name); ${usage}`);
      }
      const outcome = values.outcome === undefined ? undefined : knownOutcome(values.outcome);
      let since: string | undefined;
      try {
        since = values.since === undefined ? undefined : parseSince(values.since);
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 0 || values.limit?.trim() === '') {
        throw new UsageError(`--limit "${values.limit}" must be a whole number of zero or more (0 shows every record)`);
      }

      const connection = {
        ...(values.region ? { region: values.region } : {}),
        ...(values.profile ? { profile: values.profile } : {}),
      };
      let tables = values.table ? [values.table] : [];
      if (values.stack) {
        where = `stack ${values.stack}`;
        const cloudFormation = new CloudFormationClient({ ...connection, ...endpoint(values['cloudformation-endpoint-url']) });
        try {
          tables = (await findStackLedgers(cloudFormation, values.stack)).map((ledger) => ledger.table);
        } finally {
          cloudFormation.destroy();
        }
        if (tables.length === 0) {
          throw new UsageError(`stack ${values.stack} has no rollback handler (no AWS::Lambda::Function with the ROLLBACK_LEDGER_TABLE variable): name the stack that holds the AlarmRollback, or pass --table`);
        }
      }
      where = `ledger table ${tables.join(', ')}`;
      const dynamo = new DynamoDBClient({ ...connection, ...endpoint(values['endpoint-url']) });
      let records: LedgerRecord[] = [];
      try {
        for (const table of tables) records.push(...await readLedger(dynamo, table, { target: values.target, outcome, since }));
      } finally {
        dynamo.destroy();
      }
      records = newestFirst(records);
      const shown = limit === 0 ? records : records.slice(0, limit);
      if (values.json) {
        io.stdout(`${JSON.stringify(shown, null, 2)}\n`);
      } else if (records.length === 0) {
        const filters = [values.target && `target ${values.target}`, outcome && `outcome ${outcome}`, since && `recorded since ${since}`].filter(Boolean);
        io.stdout(`No records in ${where}${filters.length ? ` with ${filters.join(', ')}` : ''}.\n`);
      } else {
        const more = records.length - shown.length;
        io.stdout(`${formatHistory(shown)}\n${more > 0 ? `(${more} older record(s) not shown: --limit 0 shows every record)\n` : ''}`);
      }
    }, (error) => explainAwsError(error, () => where));
  },
};

function endpoint(url: string | undefined): { endpoint?: string } {
  return url ? { endpoint: url } : {};
}

function knownOutcome(value: string): string {
  const upper = value.toUpperCase();
  if (OUTCOMES.includes(upper)) return upper;
  const near = closest(upper, OUTCOMES);
  throw new UsageError(`--outcome "${value}" is not an outcome${near ? `; did you mean ${near}?` : ''} Outcomes: ${OUTCOMES.join(', ')}`);
}

/**
 * The AWS errors a person can fix, said as what to do: no region, no
 * credentials, no such table or stack, no permission. The error names come
 * from the SDK's credential providers and the DynamoDB and CloudFormation API
 * references (ResourceNotFoundException; ValidationError "Stack with id ...
 * does not exist"; AccessDeniedException / AccessDenied).
 */
function explainAwsError(error: unknown, where: () => string): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const message = error.message;
  if (/region is missing/i.test(message)) {
    return 'no AWS region: pass --region, set AWS_REGION, or give the profile a region';
  }
  if (error.name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return `no AWS credentials (${message}): configure the SDK's default chain (environment variables, \`aws configure\`, \`aws sso login\`) or pass --profile`;
  }
  if (error.name === 'ResourceNotFoundException') {
    return `${where()} was not found (${message}): check the name and --region`;
  }
  if (error.name === 'ValidationError' && /does not exist/.test(message)) {
    return `${message}: check --stack and --region`;
  }
  if (/AccessDenied|UnauthorizedOperation|UnrecognizedClient|InvalidClientTokenId|ExpiredToken/.test(error.name)) {
    return `not allowed to read ${where()} (${error.name}: ${message}): the command needs dynamodb:Query and dynamodb:Scan on the table and its byOutcome index, and with --stack cloudformation:GetTemplate and cloudformation:ListStackResources`;
  }
  return undefined;
}
