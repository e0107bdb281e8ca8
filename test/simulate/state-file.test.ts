import { checkState } from '../../local/simulate/state-file';

describe('the state file', () => {
  it('takes AppConfig ids and Proton names that the services would take', () => {
    const state = {
      appConfig: { applications: [{ id: 'abc1234', name: 'shop', environments: [{ id: 'def5678', name: 'prod' }] }] },
      proton: { environments: [{ name: 'shop-prod' }] },
    };

    expect(checkState(state)).toBe(state);
  });

  it.each([
    [{ appConfig: { applications: [{ id: 'Shop', name: 'shop' }] } }, /appConfig.applications\[0\].id must be an AppConfig id: 4 to 7 lowercase letters or digits/],
    [{ appConfig: { applications: [{ name: 'shop', environments: [{ id: 'production', name: 'prod' }] }] } }, /appConfig.applications\[0\].environments\[0\].id must be an AppConfig id/],
    [{ proton: { environments: [{ name: 'shop prod' }] } }, /proton.environments\[0\].name must be a Proton environment name: 1 to 100 letters/],
  ])('refuses %j with the field and the rule it breaks', (state, message) => {
    expect(() => checkState(state, 'state.json')).toThrow(message);
  });
});
