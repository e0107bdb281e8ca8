import { checkState } from '../../local/simulate/state-file';

describe('the state file', () => {
  it('takes AppConfig ids and Proton names that the services would take', () => {
    const state = {
      appConfig: { applications: [{ id: 'abc1234', name: 'shop', environments: [{ id: 'def5678', name: 'prod' }] }] },
      proton: { environments: [{ name: 'shop-prod' }] },
    };

    expect(checkState(state)).toBe(state);
  });

  it('takes alarm states, paused and suppressed alarms, and deployment starts', () => {
    const state = {
      appConfig: { starts: [{ application: 'shop', environment: 'prod', deploymentStrategy: 'AppConfig.AllAtOnce' }] },
      cloudWatch: {
        alarms: [
          { alarm: 'shop-errors', state: 'ALARM', actionsEnabled: false },
          { alarm: 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:shop-health', state: 'ALARM', actionsSuppressedBy: 'WaitPeriod' },
          // As docs/simulate.md lists them: a muted alarm, and one that does not exist.
          { alarm: 'shop-latency', state: 'ALARM', mutedBy: 'maintenance-window' },
          { alarm: 'shop-deleted', missing: true },
        ],
      },
    };

    expect(checkState(state)).toBe(state);
  });

  it('takes stacks, an update in flight and updates to start', () => {
    const state = {
      cloudFormation: {
        stacks: [{ name: 'Shop', status: 'UPDATE_COMPLETE', updateStartedMinutesAgo: 1, createdMinutesAgo: 90 }, { name: 'ShopEdge', status: 'UPDATE_ROLLBACK_FAILED' }],
        updates: [{ stack: 'ShopApi', disableRollback: true }],
      },
    };

    expect(checkState(state)).toBe(state);
  });

  it.each([
    [{ cloudWatch: { alarms: [{ alarm: 'shop-errors', state: 'FIRING' }] } }, /cloudWatch.alarms\[0\].state must be OK, ALARM or INSUFFICIENT_DATA/],
    [{ cloudWatch: { alarms: [{ alarm: 'shop-errors', actionsEnabled: 'no' }] } }, /cloudWatch.alarms\[0\].actionsEnabled must be true or false/],
    [{ cloudWatch: { alarms: [{ alarm: 'shop-health', actionsSuppressedBy: 'Manual' }] } }, /actionsSuppressedBy must be Alarm, WaitPeriod or ExtensionPeriod/],
    [{ cloudWatch: { alarms: [{ state: 'ALARM' }] } }, /cloudWatch.alarms\[0\].alarm must be a non-empty string/],
    [{ appConfig: { starts: [{ application: 'shop' }] } }, /appConfig.starts\[0\].environment must be a non-empty string/],
    [{ appConfig: { applications: [{ id: 'Shop', name: 'shop' }] } }, /appConfig.applications\[0\].id must be an AppConfig id: 4 to 7 lowercase letters or digits/],
    [{ appConfig: { applications: [{ name: 'shop', environments: [{ id: 'production', name: 'prod' }] }] } }, /appConfig.applications\[0\].environments\[0\].id must be an AppConfig id/],
    [{ proton: { environments: [{ name: 'shop prod' }] } }, /proton.environments\[0\].name must be a Proton environment name: 1 to 100 letters/],
    [{ cloudFormation: { stacks: [{ name: 'shop_service' }] } }, /cloudFormation.stacks\[0\].name must be a stack name: 1 to 128 letters, digits or "-", starting with a letter/],
    [{ cloudFormation: { stacks: [{ name: 'Shop' }, { name: 'Shop' }] } }, /cloudFormation.stacks\[1\].name must be a name no other entry of cloudFormation.stacks has \(Shop is there twice\)/],
    [{ cloudFormation: { stacks: [{ name: 'Shop', status: 'UPDATE_IN_PROGRESS' }] } },
      /cloudFormation.stacks\[0\].status must be one of CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE, UPDATE_FAILED, UPDATE_ROLLBACK_FAILED/],
    [{ cloudFormation: { stacks: [{ name: 'Shop', status: 'UPDATE_FAILED', updateStartedMinutesAgo: 2 }] } },
      /cloudFormation.stacks\[0\].status must be one an update starts from \(CREATE_COMPLETE, UPDATE_COMPLETE, UPDATE_ROLLBACK_COMPLETE\) when updateStartedMinutesAgo is given, as CloudFormation refuses UpdateStack on a stack in UPDATE_FAILED/],
    [{ cloudFormation: { stacks: [{ name: 'Shop', updateStartedMinutesAgo: -1 }] } }, /cloudFormation.stacks\[0\].updateStartedMinutesAgo must be a number of zero or more/],
    [{ cloudFormation: { stacks: [{ name: 'Shop', createdMinutesAgo: 1, updateStartedMinutesAgo: 5 }] } },
      /cloudFormation.stacks\[0\].createdMinutesAgo must be at least updateStartedMinutesAgo \(5\): a stack is updated after it is created/],
    [{ cloudFormation: { updates: [{ stack: '' }] } }, /cloudFormation.updates\[0\].stack must be the name of a stack/],
    [{ cloudFormation: { updates: [{ stack: 'Shop', disableRollback: 'yes' }] } }, /cloudFormation.updates\[0\].disableRollback must be true or false/],
    [{ cloudFormation: [] }, /cloudFormation must be an object like \{ "stacks": \[\{ "name": "Checkout", "updateStartedMinutesAgo": 2 \}\] \}/],
  ])('refuses %j with the field and the rule it breaks', (state, message) => {
    expect(() => checkState(state, 'state.json')).toThrow(message);
  });

  it.each([
    [{ apConfig: {} }, '"apConfig" is not a known key (did you mean "appConfig"?); the top level has appConfig, cloudFormation, cloudWatch, organization, proton'],
    [{ appConfig: { deployment: [{ application: 'shop', environment: 'prod' }] } },
      '"appConfig.deployment" is not a known key (did you mean "appConfig.deployments"?); appConfig has applications, deploymentStrategies, deployments, starts'],
    [{ appConfig: { deployments: [{ application: 'shop', environment: 'prod', startedMinutesAgp: 3 }] } },
      '"appConfig.deployments[0].startedMinutesAgp" is not a known key (did you mean "appConfig.deployments[0].startedMinutesAgo"?)'],
    [{ appConfig: { applications: [{ name: 'shop', environments: [{ name: 'prod', ID: 'def5678' }] }] } },
      '"appConfig.applications[0].environments[0].ID" is not a known key (did you mean "appConfig.applications[0].environments[0].id"?)'],
    [{ cloudWatch: { alarms: [{ alarm: 'shop-errors' }, { alarm: 'shop-health', actionEnabled: false }] } },
      '"cloudWatch.alarms[1].actionEnabled" is not a known key (did you mean "cloudWatch.alarms[1].actionsEnabled"?)'],
    [{ organization: { id: 'o-a1b2c3d4e5', account: ['111111111111'] } }, '"organization.account" is not a known key (did you mean "organization.accounts"?); organization has id, accounts'],
    [{ proton: { environments: [{ nmae: 'shop-prod' }] } }, '"proton.environments[0].nmae" is not a known key (did you mean "proton.environments[0].name"?)'],
    [{ cloudFormation: { stacks: [{ name: 'Shop', updateStartedMinuteAgo: 1 }] } },
      '"cloudFormation.stacks[0].updateStartedMinuteAgo" is not a known key (did you mean "cloudFormation.stacks[0].updateStartedMinutesAgo"?)'],
    [{ appConfig: { starts: [{ application: 'shop', environment: 'prod', frobnicate: true }] } },
      '"appConfig.starts[0].frobnicate" is not a known key; appConfig.starts[0] has application, environment, deploymentStrategy'],
  ])('refuses the unknown key in %j with its path and the closest known key', (state, message) => {
    expect(() => checkState(state, 'state.json')).toThrow(`state.json: ${message}`);
  });
});
