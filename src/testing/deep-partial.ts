/**
 * A value {@link DeepPartial} leaves as it is.
 *
 * @inline
 */
type Primitive = string | number | boolean | bigint | symbol | null | undefined;

/**
 * `T` with every property optional, at every depth. Arrays are not partial: an array given in
 * overrides replaces the whole array, so its items are complete values.
 */
export type DeepPartial<T> = T extends Primitive
  ? // First, so that an open enum (`'ended' | (string & {})`) stays a string and is not mapped as an object.
    T
  : T extends readonly unknown[]
    ? T
    : T extends object
      ? { [K in keyof T]?: DeepPartial<T[K]> }
      : T;
