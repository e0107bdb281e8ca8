import { readJson } from './cloud-assembly';
import { SimulationInputError } from './simulation-input-error';

/**
 * Reads an event file: one EventBridge event (a CloudWatch "Alarm State
 * Change"), or a list of them delivered in order.
 */
export function readEventFile(file: string): { source: string; event: Record<string, unknown> }[] {
  const content = readJson(file, 'the event file');
  const events = Array.isArray(content) ? content : [content];
  if (events.length === 0) {
    throw new SimulationInputError(`the event file ${file} holds an empty list: put one event (an object) or a list of events in it`);
  }
  return events.map((event, index) => {
    if (event === null || typeof event !== 'object' || Array.isArray(event)) {
      throw new SimulationInputError(`the event file ${file}${events.length > 1 ? ` (entry ${index})` : ''} is not an event object: use an EventBridge event with "source", "detail-type", "resources" and "detail"`);
    }
    if (typeof event.source !== 'string' || typeof event['detail-type'] !== 'string') {
      throw new SimulationInputError(`the event file ${file}${events.length > 1 ? ` (entry ${index})` : ''} has no "source" and "detail-type": use an EventBridge event, e.g. a CloudWatch Alarm State Change`);
    }
    return { source: events.length > 1 ? `${file}#${index}` : file, event };
  });
}
