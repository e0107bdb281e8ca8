import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/** The handler asset: both entries (`index.mjs`, `alarm-state.mjs`) and their shared chunks, built by `npx projen bundle:handler`. */
export const HANDLER_ASSET_PATH = path.join(__dirname, '../../assets/lambda/rollback.lambda');

export interface RollbackFunctionProps extends lambda.FunctionOptions {
  /** A Node.js runtime the asset is tested on (checked by `resolveRuntime`). */
  readonly runtime: lambda.Runtime;
  /** The file and export Lambda calls, such as `index.handler`. */
  readonly handler: string;
}

/**
 * A function that runs one entry of the handler asset. Both of the library's
 * functions are one: the rollback handler (`index.handler`) and the
 * alarm-state check (`alarm-state.handler`). The asset bundles its own AWS
 * SDK clients, so the runtime's copy has no say over their versions.
 */
export class RollbackFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: RollbackFunctionProps) {
    super(scope, id, {
      ...props,
      code: lambda.Code.fromAsset(HANDLER_ASSET_PATH),
    });
    // SDK v2's keep-alive switch; v3 keeps connections alive by default. Kept
    // so that templates synthesized by earlier releases do not change.
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
