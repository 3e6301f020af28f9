import type { JsonValue } from './primitives';

/**
 * The type of a value a schema accepts, with only its documented fields: zod types a loose object
 * (one that keeps unknown fields) with an index signature, `[key: string]: unknown`, under which a
 * misspelt field such as `contact.emial` would compile. This removes those index signatures at every
 * depth, and keeps the rest, a JSON value's own index signature included.
 *
 * The event itself still carries every field the provider sent: read one that is not typed yet with
 * `in`, which narrows it (`if ('sentiment' in event.data.call) use(event.data.call.sentiment)`).
 */
export type Documented<T> = [T] extends [JsonValue]
  ? T
  : T extends readonly (infer Item)[]
    ? Documented<Item>[]
    : T extends object
      ? { [K in keyof T as string extends K ? (unknown extends T[K] ? never : K) : K]: Documented<T[K]> }
      : T;
