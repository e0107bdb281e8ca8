import { randomUUID } from 'crypto';
import { ServiceError } from './service-error';

/**
 * The action points the local AppConfig invokes. AppConfig has more
 * (PRE_CREATE_HOSTED_CONFIGURATION_VERSION and the asynchronous ON_* points,
 * whose errors AppConfig ignores); the alarm-state check uses only these two.
 */
export type LocalActionPoint = 'PRE_START_DEPLOYMENT' | 'AT_DEPLOYMENT_TICK';

/**
 * The `Type` field of the payload per action point. AppConfig User Guide,
 * "Step 1: Create a Lambda function for a custom AWS AppConfig extension",
 * names the payload's type in PascalCase after the action point
 * (`OnDeploymentStart` for ON_DEPLOYMENT_START) and does not list every
 * value; the two here follow that pattern (the alarm-state check also
 * accepts the action point's own name).
 */
export const PAYLOAD_TYPE: Record<LocalActionPoint, string> = {
  PRE_START_DEPLOYMENT: 'PreStartDeployment',
  AT_DEPLOYMENT_TICK: 'AtDeploymentTick',
};

/** One action of an extension: what AppConfig invokes at an action point. */
export interface LocalExtensionAction {
  readonly name: string;
  /** The Lambda function ARN the action invokes. */
  readonly uri: string;
  readonly roleArn?: string;
}

export interface LocalExtensionSeed {
  /** @default - a generated id */
  readonly id?: string;
  readonly name: string;
  readonly actions: Partial<Record<LocalActionPoint, readonly LocalExtensionAction[]>>;
  /** Declared parameters: name -> whether an association must give it. @default {} */
  readonly parameters?: Readonly<Record<string, { readonly required?: boolean }>>;
}

export interface LocalExtension {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly actions: Partial<Record<LocalActionPoint, readonly LocalExtensionAction[]>>;
  readonly parameters: Readonly<Record<string, { readonly required?: boolean }>>;
}

export interface LocalExtensionAssociationSeed {
  /** @default - a generated id */
  readonly id?: string;
  /** The extension's id or ARN. */
  readonly extensionIdentifier: string;
  /** The ARN of the application or environment the extension is associated with. */
  readonly resourceArn: string;
  /** @default {} */
  readonly parameters?: Readonly<Record<string, string>>;
}

export interface LocalExtensionAssociation {
  readonly id: string;
  readonly extensionId: string;
  readonly resourceArn: string;
  readonly parameters: Readonly<Record<string, string>>;
}

/**
 * What AppConfig sends to an extension's Lambda function, with the field
 * names of the payload reference in the AppConfig User Guide ("Step 1:
 * Create a Lambda function for a custom AWS AppConfig extension").
 * `test/fixtures/appconfig-tick-payload.json` holds one.
 */
export interface ExtensionPayload {
  readonly InvocationId: string;
  readonly Parameters: Record<string, string>;
  readonly Type: string;
  readonly Application: { readonly Id: string };
  readonly Environment: { readonly Id: string };
  readonly ConfigurationProfile: { readonly Id: string; readonly Name: string };
  readonly DeploymentNumber: number;
  readonly Description?: string;
  readonly ConfigurationVersion: string;
  readonly CreatedBy: string;
}

/**
 * Invokes an action's function synchronously, the way AppConfig does at
 * PRE_* and AT_* points: resolves with the function's answer, rejects when
 * the function fails (a thrown error, a timeout, a crash). Tests hand a
 * stub; simulate hands the bundled alarm-state function in a worker.
 */
export type ExtensionInvoker = (action: LocalExtensionAction, payload: ExtensionPayload) => Promise<unknown>;

/** What one invocation decided, as the local AppConfig records it. */
export interface ExtensionInvocation {
  /** Service time of the action point (the tick's own time for ticks). */
  readonly at: number;
  readonly actionPoint: LocalActionPoint;
  readonly extensionId: string;
  readonly associationId: string;
  readonly action: string;
  readonly applicationId: string;
  readonly environmentId: string;
  readonly deploymentNumber: number;
  readonly invocationId: string;
  /**
   * PRE_START_DEPLOYMENT: ALLOWED or REFUSED. AT_DEPLOYMENT_TICK: CONTINUE or
   * ROLL_BACK.
   */
  readonly decision: 'ALLOWED' | 'REFUSED' | 'CONTINUE' | 'ROLL_BACK';
  /** The function's answer, or its error message. */
  readonly answer?: unknown;
  readonly error?: string;
}

/**
 * The tick extensions' answer (aws-samples' Datadog and New Relic tick
 * extensions): `{ Directive: 'ROLL_BACK' | 'CONTINUE', Description }`.
 * Anything that is not ROLL_BACK continues.
 */
export function answersRollBack(answer: unknown): boolean {
  return typeof answer === 'object' && answer !== null && (answer as Record<string, unknown>).Directive === 'ROLL_BACK';
}

/** The ARN AppConfig gives an application, and one of its environments. */
export function appConfigArn(region: string, account: string, applicationId: string, environmentId?: string): string {
  return `arn:aws:appconfig:${region}:${account}:application/${applicationId}${environmentId ? `/environment/${environmentId}` : ''}`;
}

/**
 * Extensions and their associations in one emulated account, with the
 * association rule AppConfig enforces and the lookup of what applies to an
 * environment.
 */
export class ExtensionRegistry {
  private readonly extensions = new Map<string, LocalExtension>();
  private readonly associations = new Map<string, LocalExtensionAssociation>();

  constructor(private readonly region: string, private readonly account: string) {}

  createExtension(seed: LocalExtensionSeed): LocalExtension {
    const id = seed.id ?? randomUUID().slice(0, 7);
    if (Object.keys(seed.actions).length === 0) {
      throw new ServiceError('BadRequestException', 400, `Extension ${seed.name} has no actions; give at least one action point.`);
    }
    const extension: LocalExtension = {
      id,
      arn: `arn:aws:appconfig:${this.region}:${this.account}:extension/${id}/1`,
      name: seed.name,
      actions: seed.actions,
      parameters: seed.parameters ?? {},
    };
    this.extensions.set(id, extension);
    return extension;
  }

  /**
   * CreateExtensionAssociation. AppConfig refuses a parameter the extension
   * does not declare and a missing required one (BadRequestException). A
   * second association of the same extension with the same resource is
   * refused too: the association is the relationship between one extension
   * and one resource. Neither the model (2019-10-09: BadRequest,
   * ResourceNotFound, InternalServer, ServiceQuotaExceeded) nor the API
   * reference says which error that is; BadRequestException is the closest
   * one the model declares.
   */
  associate(seed: LocalExtensionAssociationSeed): LocalExtensionAssociation {
    const extension = this.extension(seed.extensionIdentifier);
    const parameters = seed.parameters ?? {};
    const undeclared = Object.keys(parameters).filter((name) => !(name in extension.parameters));
    if (undeclared.length > 0) {
      throw new ServiceError('BadRequestException', 400,
        `Parameter(s) ${undeclared.join(', ')} are not declared by extension ${extension.name}; declare them on the extension or leave them out.`);
    }
    const missing = Object.entries(extension.parameters)
      .filter(([name, declared]) => declared.required && parameters[name] === undefined).map(([name]) => name);
    if (missing.length > 0) {
      throw new ServiceError('BadRequestException', 400,
        `Extension ${extension.name} requires parameter(s) ${missing.join(', ')}; give them in the association.`);
    }
    const duplicate = [...this.associations.values()]
      .find((a) => a.extensionId === extension.id && a.resourceArn === seed.resourceArn);
    if (duplicate) {
      throw new ServiceError('BadRequestException', 400,
        `Extension ${extension.name} is already associated with ${seed.resourceArn} (association ${duplicate.id}).`);
    }
    const association: LocalExtensionAssociation = {
      id: seed.id ?? randomUUID().slice(0, 7),
      extensionId: extension.id,
      resourceArn: seed.resourceArn,
      parameters,
    };
    this.associations.set(association.id, association);
    return association;
  }

  listExtensions(): LocalExtension[] {
    return [...this.extensions.values()];
  }

  listAssociations(): LocalExtensionAssociation[] {
    return [...this.associations.values()];
  }

  /**
   * The actions that run at `point` for a deployment of the environment:
   * those of extensions associated with the environment or its application.
   */
  actionsFor(point: LocalActionPoint, applicationId: string, environmentId: string) {
    // Matched on the resource path only, so an association whose ARN a
    // template built for another region or account still applies locally.
    const resources = [`application/${applicationId}`, `application/${applicationId}/environment/${environmentId}`];
    return [...this.associations.values()]
      .filter((association) => resources.includes(association.resourceArn.split(':').slice(5).join(':')))
      .flatMap((association) => {
        const extension = this.extensions.get(association.extensionId)!;
        return (extension.actions[point] ?? []).map((action) => ({ extension, association, action }));
      });
  }

  private extension(identifier: string): LocalExtension {
    const extension = this.extensions.get(identifier)
      ?? [...this.extensions.values()].find((candidate) => candidate.arn === identifier || candidate.name === identifier);
    if (!extension) {
      throw new ServiceError('ResourceNotFoundException', 404, `Extension ${identifier} not found.`, { ResourceName: identifier });
    }
    return extension;
  }
}
