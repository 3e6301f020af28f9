import { EVENT_TYPES, isKnownEventType, type ConvercEventType } from '../events/event-types';
import { closestName } from '../options/closest-name';
import { usageError } from './cli-error';

/** The event type named on the command line, or a usage error that suggests the nearest known one. */
export function eventTypeArgument(value: string, command: string): ConvercEventType {
  if (isKnownEventType(value)) return value;
  const nearest = closestName(value, EVENT_TYPES);
  const guess = nearest === undefined ? '' : ` Did you mean ${nearest}?`;
  const known = EVENT_TYPES.join(', ');
  throw usageError(`unknown event type ${JSON.stringify(value)}.${guess} Known types: ${known}`, command);
}
