import type { ConvercEventType } from '../events/event-types';
import { EVENT_TYPES, isKnownEventType } from '../events/event-types';
import type { EventHandler } from './handler-types';

/** The handlers of one receiver, by event type, plus those for every event. */
export class HandlerRegistry {
  readonly #byType = new Map<string, EventHandler[]>();
  readonly #any: EventHandler[] = [];

  /** Adds `handler` for each of `types`; an unknown type name (a typo, usually) throws a `TypeError`. */
  add(types: ConvercEventType | readonly ConvercEventType[], handler: unknown): void {
    const list: readonly unknown[] = typeof types === 'string' ? [types] : types;
    if (!Array.isArray(list) || list.length === 0) {
      throw new TypeError('on(type, handler): type must be an event type or a non-empty array of them');
    }
    const fn = requireFunction(handler, 'on(type, handler)');
    for (const type of list) {
      if (typeof type !== 'string' || !isKnownEventType(type)) {
        throw new TypeError(
          `on(type, handler): unknown event type ${JSON.stringify(type)}; known types are ${EVENT_TYPES.join(', ')} ` +
            '(use onAny for types added later)',
        );
      }
      const handlers = this.#byType.get(type);
      if (handlers === undefined) this.#byType.set(type, [fn]);
      else handlers.push(fn);
    }
  }

  /** Adds `handler` for every valid event, unknown types included. */
  addAny(handler: unknown): void {
    this.#any.push(requireFunction(handler, 'onAny(handler)'));
  }

  /** The handlers an event of `type` runs: those for its type, then those for every event. */
  handlersFor(type: string): readonly EventHandler[] {
    const handlers = this.#byType.get(type);
    if (handlers === undefined) return this.#any;
    return this.#any.length === 0 ? handlers : [...handlers, ...this.#any];
  }
}

function requireFunction(handler: unknown, where: string): EventHandler {
  if (typeof handler !== 'function') throw new TypeError(`${where}: handler must be a function`);
  return handler as EventHandler;
}
