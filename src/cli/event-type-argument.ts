import { EVENT_TYPES, isKnownEventType, type ConvercEventType } from '../events/event-types';
import { usageError } from './cli-error';

/** The event type named on the command line, or a usage error that suggests the nearest known one. */
export function eventTypeArgument(value: string, command: string): ConvercEventType {
  if (isKnownEventType(value)) return value;
  const nearest = EVENT_TYPES.map((type) => ({ type, distance: editDistance(value, type) })).sort(
    (a, b) => a.distance - b.distance,
  )[0];
  const guess = nearest !== undefined && nearest.distance <= 3 ? ` Did you mean ${nearest.type}?` : '';
  const known = EVENT_TYPES.join(', ');
  throw usageError(`unknown event type ${JSON.stringify(value)}.${guess} Known types: ${known}`, command);
}

/** Levenshtein distance, for the suggestion only: the inputs are a few dozen characters. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
