import { ExtensionParameter } from '../../src/contract';
import tickFixture from '../fixtures/appconfig-at-deployment-tick.json';
import startFixture from '../fixtures/appconfig-pre-start-deployment.json';

/**
 * The one builder of the payload AppConfig hands the alarm-state check at an
 * action point ("Step 3: Create a custom AWS AppConfig extension", AWS
 * AppConfig User Guide). Every field not given is the fixture's.
 */
export interface ExtensionPayloadOptions {
  /** `tick`: AT_DEPLOYMENT_TICK; `start`: PRE_START_DEPLOYMENT. @default 'tick' */
  readonly point?: 'tick' | 'start';
  /** @default the fixture's */
  readonly invocationId?: string;
  /** `Application.Id`. @default the fixture's */
  readonly applicationId?: string;
  /** `Environment.Id`. @default the fixture's */
  readonly environmentId?: string;
  /** Fields written over the fixture's Target parameter. @default none */
  readonly target?: Record<string, unknown>;
  /** The watched alarms, as the one AlarmsN parameter. @default the fixture's */
  readonly alarmArns?: readonly string[];
}

export function extensionPayload(options: ExtensionPayloadOptions = {}): Record<string, any> {
  const payload = structuredClone(options.point === 'start' ? startFixture : tickFixture) as Record<string, any>;
  if (options.invocationId !== undefined) {
    payload.InvocationId = options.invocationId;
  }
  if (options.applicationId !== undefined) {
    payload.Application = { ...payload.Application, Id: options.applicationId };
  }
  if (options.environmentId !== undefined) {
    payload.Environment = { ...payload.Environment, Id: options.environmentId };
  }
  const parameters = payload.Parameters as Record<string, string>;
  parameters[ExtensionParameter.TARGET] = JSON.stringify({ ...JSON.parse(parameters[ExtensionParameter.TARGET]), ...options.target });
  if (options.alarmArns !== undefined) {
    for (const name of Object.keys(parameters).filter((key) => key.startsWith(ExtensionParameter.ALARMS_PREFIX))) {
      delete parameters[name];
    }
    parameters[`${ExtensionParameter.ALARMS_PREFIX}1`] = JSON.stringify(options.alarmArns);
  }
  return payload;
}
