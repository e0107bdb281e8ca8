import { explainEventPattern, matchesEventPattern } from '../../local/simulate';

const event = {
  'source': 'aws.cloudwatch',
  'detail-type': 'CloudWatch Alarm State Change',
  'resources': ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:errors', 'arn:aws:cloudwatch:eu-west-1:111111111111:alarm:other'],
  'detail': {
    state: { value: 'ALARM', count: 5 },
    alarmName: 'Checkout-Errors',
    ip: '10.0.3.7',
    flags: [true],
    nothing: null,
    items: [{ kind: 'a', size: 1 }, { kind: 'b', size: 9 }],
  },
};

describe('EventBridge event pattern matching', () => {
  it.each([
    ['exact values', { source: ['aws.cloudwatch'], detail: { state: { value: ['ALARM'] } } }],
    ['any value of a list', { source: ['aws.ec2', 'aws.cloudwatch'] }],
    ['any element of an event array', { resources: ['arn:aws:cloudwatch:eu-west-1:111111111111:alarm:other'] }],
    ['numbers as numbers', { detail: { state: { count: [5.0] } } }],
    ['booleans and null', { detail: { flags: [true], nothing: [null] } }],
    ['prefix', { 'detail-type': [{ prefix: 'CloudWatch' }] }],
    ['prefix ignoring case', { 'detail-type': [{ prefix: { 'equals-ignore-case': 'cloudwatch alarm' } }] }],
    ['suffix', { detail: { alarmName: [{ suffix: '-Errors' }] } }],
    ['equals-ignore-case', { detail: { alarmName: [{ 'equals-ignore-case': 'checkout-errors' }] } }],
    ['wildcard', { resources: [{ wildcard: 'arn:aws:cloudwatch:*:alarm:err*' }] }],
    ['anything-but a value', { detail: { state: { value: [{ 'anything-but': 'OK' }] } } }],
    ['anything-but a list', { detail: { state: { value: [{ 'anything-but': ['OK', 'INSUFFICIENT_DATA'] }] } } }],
    ['anything-but a prefix', { detail: { alarmName: [{ 'anything-but': { prefix: 'Billing' } }] } }],
    ['anything-but a suffix', { detail: { alarmName: [{ 'anything-but': { suffix: '-Latency' } }] } }],
    ['numeric range', { detail: { state: { count: [{ numeric: ['>', 0, '<=', 5] }] } } }],
    ['exists: true', { detail: { alarmName: [{ exists: true }] } }],
    ['exists: false', { detail: { missing: [{ exists: false }] } }],
    ['cidr', { detail: { ip: [{ cidr: '10.0.0.0/16' }] } }],
    ['nested objects in an array', { detail: { items: { kind: ['b'], size: [{ numeric: ['>', 5] }] } } }],
    ['$or', { $or: [{ source: ['aws.ec2'] }, { detail: { state: { value: ['ALARM'] } } }] }],
  ])('matches %s', (_name, pattern) => {
    expect(matchesEventPattern(pattern, event)).toBe(true);
  });

  it.each([
    ['a different value', { detail: { state: { value: ['OK'] } } }, 'detail.state.value'],
    ['a field the event lacks', { detail: { missing: ['x'] } }, 'detail.missing'],
    ['a string against a number', { detail: { state: { count: ['5'] } } }, 'detail.state.count'],
    ['case-sensitive exact values', { detail: { alarmName: ['checkout-errors'] } }, 'detail.alarmName'],
    ['anything-but the value present', { detail: { state: { value: [{ 'anything-but': ['ALARM'] }] } } }, 'detail.state.value'],
    ['anything-but on a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, 'detail.missing'],
    ['numeric outside the range', { detail: { state: { count: [{ numeric: ['<', 5] }] } } }, 'detail.state.count'],
    ['exists: false on a present field', { detail: { alarmName: [{ exists: false }] } }, 'detail.alarmName'],
    ['cidr outside the block', { detail: { ip: [{ cidr: '10.1.0.0/16' }] } }, 'detail.ip'],
    ['a nested array element matching only in parts', { detail: { items: { kind: ['a'], size: [9] } } }, 'detail.items.size'],
    ['a wildcard that does not fit', { resources: [{ wildcard: '*:alarm:latency' }] }, 'resources'],
  ])('does not match %s', (_name, pattern, field) => {
    expect(explainEventPattern(pattern, event)).toEqual({ matched: false, field });
  });

  it('treats an escaped asterisk in a wildcard as a literal', () => {
    expect(matchesEventPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'a*b' })).toBe(true);
    expect(matchesEventPattern({ name: [{ wildcard: 'a\\*b' }] }, { name: 'axb' })).toBe(false);
  });
});
