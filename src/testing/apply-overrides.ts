/** Paths whose value replaces the default whole instead of being merged into it. */
export type ReplacedPaths = ReadonlySet<string>;

/**
 * Merges `overrides` into `target` in place, and returns `target`. Plain objects merge key by key;
 * arrays, `null` and every other value replace what was there; a key set to `undefined` is removed,
 * since JSON has no `undefined` and removing is what sending it would do. Values are copied, so a
 * later change to `overrides` does not reach the event.
 */
export function applyOverrides<T extends object>(target: T, overrides: unknown, replaced: ReplacedPaths): T {
  mergeInto(target as Record<string, unknown>, overrides, '', replaced);
  return target;
}

function mergeInto(target: Record<string, unknown>, overrides: unknown, path: string, replaced: ReplacedPaths): void {
  if (!isPlainObject(overrides)) {
    throw new TypeError(`overrides${path === '' ? '' : ` at ${path}`} must be a plain object`);
  }
  for (const [key, value] of Object.entries(overrides)) {
    // An own "__proto__" key (JSON.parse makes them) would otherwise replace the target's prototype.
    if (key === '__proto__') throw new TypeError(`overrides may not set __proto__ (at ${path || 'the top'})`);
    const at = path === '' ? key : `${path}.${key}`;
    const current = target[key];
    if (value === undefined) Reflect.deleteProperty(target, key);
    else if (isPlainObject(value) && isPlainObject(current) && !replaced.has(at)) {
      mergeInto(current, value, at, replaced);
    } else target[key] = structuredClone(value);
  }
}

/**
 * An object literal or JSON object, from any realm: `structuredClone` under Jest makes objects whose
 * prototype is another realm's `Object.prototype`, so comparing with ours would call them foreign.
 */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as object | null;
  return proto === null || Object.getPrototypeOf(proto) === null;
}
