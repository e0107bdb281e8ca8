import { existsSync, readFileSync, statSync } from 'fs';
import { join, resolve } from 'path';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, StackEnvironment, Template } from './intrinsics';
import { SimulationInputError } from './simulation-input-error';

/** One CloudFormation stack of a cloud assembly. */
export interface AssemblyStack {
  readonly artifactId: string;
  /** The assembly directory the stack's files are in (nested stages have their own). */
  readonly directory: string;
  readonly template: Template;
  /** Name, account and region; environment-agnostic stacks get the defaults. */
  readonly environment: StackEnvironment;
  /** The file asset folders of the stack, by asset hash and by S3 object key. */
  readonly fileAssets: ReadonlyMap<string, string>;
  /** Construct paths by logical id, from the manifest's `aws:cdk:logicalId` metadata. */
  readonly constructPaths: ReadonlyMap<string, string>;
}

/** A synthesized CDK app (`cdk.out`), read from its manifest.json. */
export interface CloudAssembly {
  readonly directory: string;
  readonly stacks: readonly AssemblyStack[];
}

interface ArtifactManifest {
  readonly type: string;
  readonly environment?: string;
  readonly properties?: Record<string, any>;
  readonly metadata?: Record<string, readonly { readonly type: string; readonly data?: unknown }[]>;
  /** Newer assemblies keep the metadata in a file of its own. */
  readonly additionalMetadataFile?: string;
}

/** Reads `manifest.json` and every stack template of an assembly, nested stage assemblies included. */
export function readCloudAssembly(directory: string): CloudAssembly {
  const root = resolve(directory);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new SimulationInputError(`no cloud assembly at ${directory}: run \`cdk synth\` (it writes cdk.out) and pass that folder with --assembly`);
  }
  return { directory: root, stacks: readStacks(root) };
}

function readStacks(directory: string): AssemblyStack[] {
  const manifestFile = join(directory, 'manifest.json');
  if (!existsSync(manifestFile)) {
    throw new SimulationInputError(`${directory} has no manifest.json, so it is not a cloud assembly: pass the folder \`cdk synth\` writes (cdk.out) with --assembly`);
  }
  const manifest = readJson(manifestFile, 'the assembly manifest') as { artifacts?: Record<string, ArtifactManifest> };
  const artifacts = Object.entries(manifest.artifacts ?? {});
  const fileAssets = new Map<string, string>();
  for (const [, artifact] of artifacts) {
    if (artifact.type === 'cdk:asset-manifest' && artifact.properties?.file) {
      addFileAssets(fileAssets, directory, join(directory, artifact.properties.file));
    }
  }
  const stacks: AssemblyStack[] = [];
  for (const [artifactId, artifact] of artifacts) {
    if (artifact.type === 'aws:cloudformation:stack') {
      const templateFile = join(directory, artifact.properties?.templateFile ?? `${artifactId}.template.json`);
      if (!existsSync(templateFile)) {
        throw new SimulationInputError(`the template of stack ${artifactId} (${templateFile}) is missing: synthesize the app again`);
      }
      stacks.push({
        artifactId,
        directory,
        template: readJson(templateFile, `the template of stack ${artifactId}`) as Template,
        environment: stackEnvironment(artifact.properties?.stackName ?? artifactId, artifact.environment),
        fileAssets,
        constructPaths: constructPaths(directory, artifact),
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      stacks.push(...readStacks(join(directory, artifact.properties.directoryName)));
    }
  }
  return stacks;
}

function constructPaths(directory: string, artifact: ArtifactManifest): Map<string, string> {
  const paths = new Map<string, string>();
  const metadata = { ...artifact.metadata };
  const extraFile = artifact.additionalMetadataFile ? join(directory, artifact.additionalMetadataFile) : undefined;
  if (extraFile && existsSync(extraFile)) {
    Object.assign(metadata, readJson(extraFile, 'the stack metadata'));
  }
  for (const [path, entries] of Object.entries(metadata)) {
    for (const entry of entries) {
      if (entry.type === 'aws:cdk:logicalId' && typeof entry.data === 'string') {
        paths.set(entry.data, path.replace(/^\//, '').replace(/\/Resource$/, ''));
      }
    }
  }
  return paths;
}

/** `aws://<account>/<region>`, with `unknown-account` and `unknown-region` for environment-agnostic stacks. */
function stackEnvironment(stackName: string, environment: string | undefined): StackEnvironment {
  const match = /^aws:\/\/([^/]+)\/([^/]+)$/.exec(environment ?? '');
  const account = match && /^\d{12}$/.test(match[1]) ? match[1] : DEFAULT_ACCOUNT;
  const region = match && !match[2].startsWith('unknown-') ? match[2] : DEFAULT_REGION;
  return { stackName, account, region };
}

function addFileAssets(assets: Map<string, string>, directory: string, file: string): void {
  const manifest = readJson(file, 'an asset manifest') as {
    files?: Record<string, { source?: { path?: string }; destinations?: Record<string, { objectKey?: string }> }>;
  };
  for (const [hash, asset] of Object.entries(manifest.files ?? {})) {
    if (!asset.source?.path) continue;
    const path = join(directory, asset.source.path);
    assets.set(hash, path);
    for (const destination of Object.values(asset.destinations ?? {})) {
      if (destination.objectKey) assets.set(destination.objectKey, path);
    }
  }
}

/** Reads a JSON file; a missing or malformed file is a one-line input error. */
export function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    throw new SimulationInputError(`cannot read ${what} at ${file}: ${reason}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new SimulationInputError(`${what} at ${file} is not valid JSON (${(error as Error).message}): fix the file`);
  }
}
