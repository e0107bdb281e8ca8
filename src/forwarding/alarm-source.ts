import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { Rules } from '../contract';
import { ResolvedAlarmSource } from './alarm-locations';
import { describeValue, validationError } from '../private/validate';

/**
 * A Region code such as `eu-west-1` or `us-gov-west-1`. AWS publishes no
 * pattern for Region codes; this one accepts every Region listed in the AWS
 * General Reference ("AWS service endpoints") and refuses typos such as
 * `eu-west1` or `EU-WEST-1`.
 */
const REGION_CODE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/** Options of `AlarmSource.account` and `AlarmSource.organization`. */
export interface AlarmSourceOptions {
  /**
   * Regions whose alarms are forwarded from this source. Only the synth-time
   * check of alarm locations reads them: the bus policy cannot tell Regions
   * apart, since every forwarded event is put by the source account.
   *
   * @default - the AlarmRollback stack's Region only
   */
  readonly regions?: string[];
}

/**
 * Accounts (or an organization) allowed to send alarm events to the
 * rollback's event bus.
 *
 * A CloudWatch alarm's state-change event goes to the default event bus of
 * the alarm's own account and Region. For an alarm elsewhere to roll a target
 * back, an `AlarmEventForwarder` in the alarm's account and Region forwards
 * its events to the rollback's bus, and the bus must let that account put
 * them: `AlarmRollback` writes that bus policy from its `alarmSources`,
 * narrowed to CloudWatch alarm state-change events.
 *
 * @example
 * const rollback = new AlarmRollback(this, 'Rollback', {
 *   alarmSources: [
 *     AlarmSource.account('222222222222', { regions: ['eu-west-1', 'us-east-1'] }),
 *     AlarmSource.organization('o-a1b2c3d4e5'),
 *   ],
 * });
 */
export abstract class AlarmSource {
  /**
   * One AWS account whose alarms (in `options.regions`) may send their events
   * to the rollback's bus. Declaring the rollback stack's own account with
   * other Regions adds no bus-policy statement: an account's own forwarding
   * role needs none.
   *
   * @param accountId the 12-digit account ID
   * @param options the Regions of its alarms
   */
  public static account(accountId: string, options: AlarmSourceOptions = {}): AlarmSource {
    return new DeclaredSource('account', accountId, options);
  }

  /**
   * Every account of an AWS Organizations organization: the bus policy allows
   * any principal whose `aws:PrincipalOrgID` is this organization.
   *
   * @param organizationId the organization ID, such as `o-a1b2c3d4e5`
   * @param options the Regions of its alarms
   */
  public static organization(organizationId: string, options: AlarmSourceOptions = {}): AlarmSource {
    return new DeclaredSource('organization', organizationId, options);
  }

  /**
   * Validates the source and returns what it declares.
   *
   * @internal
   */
  public abstract _resolve(scope: IConstruct, index: number): ResolvedAlarmSource;
}

class DeclaredSource extends AlarmSource {
  constructor(
    private readonly kind: 'account' | 'organization',
    private readonly id: string,
    private readonly options: AlarmSourceOptions,
  ) {
    super();
  }

  public _resolve(scope: IConstruct, index: number): ResolvedAlarmSource {
    const where = `alarmSources[${index}]`;
    const factory = this.kind === 'account' ? 'AlarmSource.account' : 'AlarmSource.organization';
    const rule = this.kind === 'account' ? Rules.ACCOUNT_ID : Rules.ORGANIZATION_ID;
    if (typeof this.id !== 'string' || Token.isUnresolved(this.id)) {
      throw validationError(scope,
        `${where} (${factory}) is given ${typeof this.id === 'string' ? 'a token' : describeValue(this.id)}; the bus policy and the check of alarm locations need the literal ID`,
        `Pass the ${this.kind} ID as a string, ${rule.says}`);
    }
    if (!rule.test(this.id)) {
      throw validationError(scope,
        `${where} (${factory}) is given ${describeValue(this.id)}, which is not an AWS ${this.kind} ID: ${rule.says}`,
        this.kind === 'account'
          ? 'Pass the 12-digit account ID (without dashes), or use AlarmSource.organization for an organization ID'
          : 'Pass the organization ID from the AWS Organizations console (it starts with "o-"), or use AlarmSource.account for one account');
    }
    const regions = this.options.regions;
    if (regions !== undefined) {
      if (!Array.isArray(regions) || regions.length === 0) {
        throw validationError(scope,
          `${where} (${factory}('${this.id}')) has regions ${describeValue(regions)}, so no alarm of it would be covered`,
          'List at least one Region, such as regions: [\'us-east-1\'], or leave regions out for the stack\'s own Region');
      }
      const seen = new Set<string>();
      for (const region of regions) {
        if (typeof region !== 'string' || Token.isUnresolved(region) || !REGION_CODE.test(region)) {
          throw validationError(scope,
            `${where} (${factory}('${this.id}')) lists the Region ${typeof region === 'string' && Token.isUnresolved(region) ? 'as a token' : describeValue(region)}, which is not a literal Region code`,
            'Use Region codes such as \'eu-west-1\' or \'us-east-1\'');
        }
        if (seen.has(region)) {
          throw validationError(scope,
            `${where} (${factory}('${this.id}')) lists the Region ${region} twice`,
            'List each Region once');
        }
        seen.add(region);
      }
    }
    return { kind: this.kind, id: this.id, regions: regions && [...regions] };
  }
}
