/**
 * Writes local/models/<service>.rules.json: the request and response rules of
 * exactly the operations the local AWS services serve, taken from AWS's
 * published service models as botocore (the AWS CLI's model library) carries
 * them. The local services validate requests with these files, never with
 * the construct's own rules, so a rule the construct gets wrong is refused.
 *
 *   npx projen service-rules          regenerate after a botocore upgrade
 *
 * test/local/service-models.test.ts regenerates them from the installed
 * botocore and requires them equal to the committed files.
 *
 * Only facts are copied: shape names, types, required members, lengths and
 * values, patterns, enums, HTTP bindings, and each operation's errors with
 * their codes and statuses. No documentation text.
 */
import { execFileSync } from 'child_process';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'fs';
import { dirname, join } from 'path';
import { gunzipSync } from 'zlib';

/** The model version each local service speaks, and the operations it serves. */
export const SERVED = {
  appconfig: {
    apiVersion: '2019-10-09',
    operations: [
      'CreateApplication', 'CreateDeploymentStrategy', 'CreateEnvironment', 'GetDeployment', 'GetEnvironment',
      'ListDeployments', 'StartDeployment', 'StopDeployment',
    ],
  },
  cloudformation: {
    apiVersion: '2010-05-15',
    operations: [
      'CancelUpdateStack', 'ContinueUpdateRollback', 'DescribeStackEvents', 'DescribeStacks', 'ListStacks', 'RollbackStack', 'UpdateStack',
    ],
  },
  cloudwatch: {
    apiVersion: '2010-08-01',
    operations: [
      'DeleteAlarmMuteRule', 'DescribeAlarms', 'DisableAlarmActions', 'EnableAlarmActions', 'GetAlarmMuteRule',
      'ListAlarmMuteRules', 'PutAlarmMuteRule', 'SetAlarmState',
    ],
  },
  proton: {
    apiVersion: '2020-07-20',
    operations: ['CancelEnvironmentDeployment', 'CreateEnvironment', 'GetEnvironment', 'ListEnvironments', 'UpdateEnvironment'],
  },
} as const;

export type ServedService = keyof typeof SERVED;

/** The folder the committed rule files live in. */
export const RULES_DIR = join(__dirname, '..', 'local', 'models');

/** Where botocore's `data/` folder is: the Python package, or the copy inside AWS CLI v2. */
export function botocoreDataDir(): string {
  const tried: string[] = [];
  try {
    const packageDir = execFileSync('python3', ['-c', 'import botocore,os;print(os.path.dirname(botocore.__file__))'], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    if (existsSync(join(packageDir, 'data'))) return join(packageDir, 'data');
    tried.push(`${packageDir}/data`);
  } catch {
    tried.push('python3 -c "import botocore" (failed)');
  }
  // AWS CLI v2 ships its own botocore inside its installation (dist/awscli/botocore/data).
  try {
    const aws = realpathSync(execFileSync('sh', ['-c', 'command -v aws'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const bundled = join(dirname(aws), '..', 'dist', 'awscli', 'botocore', 'data');
    const alongside = join(dirname(aws), 'awscli', 'botocore', 'data');
    for (const candidate of [bundled, alongside]) {
      if (existsSync(candidate)) return candidate;
      tried.push(candidate);
    }
  } catch {
    tried.push('the aws command (not on PATH)');
  }
  throw new Error(`Cannot find botocore's service models; looked in: ${tried.join(', ')}. `
    + 'Install the AWS CLI (pip install awscli, or apt-get install awscli) and run again.');
}

/** The botocore version whose models `dataDir` holds, for messages. */
export function botocoreVersion(dataDir: string): string {
  const init = join(dataDir, '..', '__init__.py');
  const match = existsSync(init) ? /__version__ = '([^']+)'/.exec(readFileSync(init, 'utf8')) : null;
  return match ? match[1] : 'unknown';
}

/** Reads `<service>/<apiVersion>/service-2.json(.gz)` from botocore's data folder. */
function readModel(dataDir: string, service: string, apiVersion: string): any {
  const dir = join(dataDir, service, apiVersion);
  if (!existsSync(dir)) {
    const versions = existsSync(join(dataDir, service)) ? readdirSync(join(dataDir, service)).join(', ') : 'none';
    throw new Error(`botocore at ${dataDir} has no ${service} model ${apiVersion} (it has: ${versions}).`);
  }
  const gz = join(dir, 'service-2.json.gz');
  const text = existsSync(gz) ? gunzipSync(readFileSync(gz)).toString('utf8') : readFileSync(join(dir, 'service-2.json'), 'utf8');
  return JSON.parse(text);
}

/** The members of a shape this project relies on; documentation and SDK hints are left out. */
const SHAPE_FACTS = ['type', 'required', 'min', 'max', 'pattern', 'enum', 'timestampFormat', 'union'] as const;
const MEMBER_FACTS = ['shape', 'location', 'locationName'] as const;

function pick(source: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
}

/** The rules of `service`'s served operations, as a plain object in a stable order. */
export function serviceRules(dataDir: string, service: ServedService): Record<string, unknown> {
  const { apiVersion, operations } = SERVED[service];
  const model = readModel(dataDir, service, apiVersion);
  const shapes: Record<string, Record<string, unknown>> = {};
  const errors: Record<string, Record<string, unknown>> = {};

  const visit = (name: string): void => {
    if (shapes[name]) return;
    const shape = model.shapes[name];
    if (!shape) throw new Error(`${service} ${apiVersion}: shape ${name} is referenced but not defined.`);
    const facts = pick(shape, SHAPE_FACTS);
    shapes[name] = facts;
    if (shape.members) {
      facts.members = Object.fromEntries(Object.entries(shape.members as Record<string, Record<string, unknown>>)
        .map(([member, target]) => [member, pick(target, MEMBER_FACTS)]));
      for (const target of Object.values(shape.members as Record<string, { shape: string }>)) visit(target.shape);
    }
    for (const part of ['member', 'key', 'value'] as const) {
      if (shape[part]) {
        facts[part] = shape[part].shape;
        visit(shape[part].shape);
      }
    }
  };

  const operationRules: Record<string, Record<string, unknown>> = {};
  for (const name of operations) {
    const operation = model.operations[name];
    if (!operation) throw new Error(`${service} ${apiVersion} has no operation ${name}; the local service serves it.`);
    const errorNames: string[] = (operation.errors ?? []).map((error: { shape: string }) => error.shape).sort();
    operationRules[name] = {
      http: pick(operation.http ?? {}, ['method', 'requestUri', 'responseCode']),
      ...(operation.input ? { input: operation.input.shape } : {}),
      ...(operation.output ? { output: operation.output.shape } : {}),
      errors: errorNames,
    };
    if (operation.input) visit(operation.input.shape);
    if (operation.output) visit(operation.output.shape);
    for (const errorName of errorNames) {
      const shape = model.shapes[errorName];
      // awsQuery-compatible services (CloudWatch) answer with the trait's `code`;
      // the others with the shape name. A fault is the server's, 5xx.
      errors[errorName] = {
        ...pick(shape.error ?? {}, ['code', 'httpStatusCode', 'senderFault']),
        ...(shape.fault ? { fault: true } : {}),
      };
    }
  }

  const sorted = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
  return {
    service,
    apiVersion,
    protocol: model.metadata.protocol,
    ...(model.metadata.protocols ? { protocols: model.metadata.protocols } : {}),
    ...(model.metadata.targetPrefix ? { targetPrefix: model.metadata.targetPrefix } : {}),
    ...(model.metadata.awsQueryCompatible ? { awsQueryCompatible: true } : {}),
    operations: sorted(operationRules),
    errors: sorted(errors),
    shapes: sorted(shapes),
  };
}

/**
 * JSON with one line per operation, error and shape, so a model change shows
 * as a diff of the lines it touches.
 */
export function renderRules(rules: Record<string, unknown>): string {
  const lines = ['{'];
  const entries = Object.entries(rules);
  entries.forEach(([key, value], index) => {
    const comma = index < entries.length - 1 ? ',' : '';
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const inner = Object.entries(value as Record<string, unknown>);
      lines.push(`  ${JSON.stringify(key)}: {`);
      inner.forEach(([name, item], i) => lines.push(`    ${JSON.stringify(name)}: ${JSON.stringify(item)}${i < inner.length - 1 ? ',' : ''}`));
      lines.push(`  }${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${JSON.stringify(value)}${comma}`);
    }
  });
  lines.push('}', '');
  return lines.join('\n');
}

export function rulesFile(service: ServedService): string {
  return join(RULES_DIR, `${service}.rules.json`);
}

if (require.main === module) {
  const dataDir = botocoreDataDir();
  for (const service of Object.keys(SERVED) as ServedService[]) {
    writeFileSync(rulesFile(service), renderRules(serviceRules(dataDir, service)));
    console.log(`${rulesFile(service)}: ${SERVED[service].operations.length} operations from botocore ${botocoreVersion(dataDir)} (${service} ${SERVED[service].apiVersion})`);
  }
}
