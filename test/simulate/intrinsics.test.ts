import { buildTargetInput, derivedAppConfigId, IntrinsicResolver, selectPath, Template } from '../../local/simulate';

const template: Template = {
  Parameters: { Stage: { Type: 'String', Default: 'prod' } },
  Mappings: { Sizes: { prod: { Memory: 512 } } },
  Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
  Resources: {
    Named: { Type: 'AWS::CloudWatch::Alarm', Properties: { AlarmName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'errors']] } } },
    Unnamed: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
    Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
    App: { Type: 'AWS::AppConfig::Application', Properties: { Name: 'shop' } },
    Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    Bus: { Type: 'AWS::Events::EventBus', Properties: { Name: 'alarms' } },
    OnDefault: { Type: 'AWS::Events::Rule', Properties: { Name: 'on-default' } },
    OnBus: { Type: 'AWS::Events::Rule', Properties: { Name: 'on-bus', EventBusName: { Ref: 'Bus' } } },
    OnBusArn: { Type: 'AWS::Events::Rule', Properties: { Name: 'on-bus-arn', EventBusName: { 'Fn::GetAtt': ['Bus', 'Arn'] } } },
  },
};
const resolver = (physicalIds: Record<string, string> = {}) =>
  new IntrinsicResolver(template, { stackName: 'Shop', account: '111111111111', region: 'eu-west-1' }, { physicalIds });

describe('CloudFormation intrinsics', () => {
  it('gives alarms their name, or one derived from the stack and logical id', () => {
    expect(resolver().resolve({ 'Fn::GetAtt': ['Named', 'Arn'] })).toBe('arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Shop-errors');
    expect(resolver().resolve({ 'Fn::GetAtt': 'Unnamed.Arn' })).toBe('arn:aws:cloudwatch:eu-west-1:111111111111:alarm:Shop-Unnamed');
    expect(resolver().resolve({ Ref: 'Named' })).toBe('Shop-errors');
  });

  it('puts the bus name into the ARN of a rule on a custom event bus', () => {
    const r = resolver();
    expect(r.resolve({ 'Fn::GetAtt': ['Bus', 'Arn'] })).toBe('arn:aws:events:eu-west-1:111111111111:event-bus/alarms');
    expect(r.resolve({ Ref: 'Bus' })).toBe('alarms');
    expect(r.resolve({ 'Fn::GetAtt': ['OnDefault', 'Arn'] })).toBe('arn:aws:events:eu-west-1:111111111111:rule/on-default');
    expect(r.resolve({ 'Fn::GetAtt': ['OnBus', 'Arn'] })).toBe('arn:aws:events:eu-west-1:111111111111:rule/alarms/on-bus');
    expect(r.resolve({ 'Fn::GetAtt': ['OnBusArn', 'Arn'] })).toBe('arn:aws:events:eu-west-1:111111111111:rule/alarms/on-bus-arn');
  });

  it('resolves pseudo parameters, parameters, Fn::Sub, Fn::Select, Fn::Split, Fn::If and Fn::FindInMap', () => {
    const r = resolver();
    expect(r.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${AWS::Region}-${AWS::AccountId}-${Stage}.${AWS::URLSuffix}-${!Literal}' }))
      .toBe('arn:aws:s3:::eu-west-1-111111111111-prod.amazonaws.com-${Literal}');
    expect(r.resolve({ 'Fn::Sub': ['${Name}/${Table.Arn}', { Name: { Ref: 'Table' } }] }))
      .toBe('Shop-Table/arn:aws:dynamodb:eu-west-1:111111111111:table/Shop-Table');
    expect(r.resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(r.resolve({ 'Fn::If': ['IsProd', 'yes', 'no'] })).toBe('yes');
    expect(r.resolve({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Memory'] })).toBe(512);
    expect(r.resolve({ a: 1, b: { Ref: 'AWS::NoValue' }, c: [1, { Ref: 'AWS::NoValue' }] })).toEqual({ a: 1, c: [1] });
    expect(r.resolve({ Ref: 'Queue' })).toBe('https://sqs.eu-west-1.amazonaws.com/111111111111/Shop-Queue');
  });

  it('derives 7-character AppConfig ids deterministically, unless the state names them', () => {
    const id = resolver().resolve({ Ref: 'App' });
    expect(id).toMatch(/^[a-z0-9]{7}$/);
    expect(id).toBe(derivedAppConfigId('Shop/App'));
    expect(resolver({ App: 'abc1234' }).resolve({ 'Fn::GetAtt': ['App', 'ApplicationId'] })).toBe('abc1234');
  });

  it('names a missing resource in a one-line error', () => {
    expect(() => resolver().resolve({ Ref: 'Nope' })).toThrow(/"Nope", which is not a resource of stack Shop/);
    expect(() => resolver().resolve({ 'Fn::Transform': {} })).toThrow(/Fn::Transform .* which simulate does not resolve/);
  });
});

describe('rule target input', () => {
  const event = { 'id': 'e-1', 'detail-type': 'x', 'detail': { state: { value: 'ALARM' } } };
  const context = { ruleArn: 'arn:aws:events:eu-west-1:111111111111:rule/r', ruleName: 'r' };

  it('substitutes InputPathsMap values: JSON outside quotes, text inside', () => {
    const input = buildTargetInput({
      InputTransformer: {
        InputPathsMap: { whole: '$', state: '$.detail.state.value', none: '$.detail.missing' },
        InputTemplate: '{"event":<whole>,"state":"<state>","raw":<state>,"none":<none>,"rule":"<aws.events.rule-name>"}',
      },
    }, event, context);
    expect(input).toEqual({ event, state: 'ALARM', raw: 'ALARM', none: null, rule: 'r' });
  });

  it('sends constant Input, an InputPath selection, or the whole event', () => {
    expect(buildTargetInput({ Input: '{"a":1}' }, event, context)).toEqual({ a: 1 });
    expect(buildTargetInput({ InputPath: '$.detail.state' }, event, context)).toEqual({ value: 'ALARM' });
    expect(buildTargetInput({}, event, context)).toBe(event);
    expect(selectPath({ a: [{ 'b-c': 2 }] }, "$.a[0]['b-c']")).toBe(2);
  });
});
