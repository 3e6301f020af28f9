import type { z } from 'zod';

/** Whether a value passes a schema; see {@link compileCheck}. */
export type Check = (value: unknown) => boolean;

/**
 * Compiles a zod schema into a predicate that says whether a value passes it, without building the
 * output copy, issue arrays and payload objects `safeParse` builds for every field: on the receive
 * path that garbage cost more than the checks themselves. No code is generated (`new Function` is
 * refused on edge runtimes); the check is closures over zod's own definitions, so the schemas stay
 * the one source of truth.
 *
 * The predicate may only ever be stricter than zod: `true` means zod accepts the value, `false` means
 * "ask zod", which then decides and words the issues. A schema with any part this compiler does not
 * fully understand (a kind, a check, or a setting such as a string format or `coerce`) compiles to
 * `undefined`, so what zod adds later costs speed, never an event.
 */
export function compileCheck(schema: z.core.$ZodType): Check | undefined {
  let check: Check | undefined;
  try {
    check = compile(schema, new Set());
  } catch {
    // A getter in a shape that throws, say: zod will report it, or throw it, when it parses.
    return undefined;
  }
  if (check === undefined) return undefined;
  return (value) => {
    try {
      return check(value);
    } catch {
      // A refinement that throws is zod's to report (or to throw), not ours.
      return false;
    }
  };
}

/** The settings each kind may carry beyond the {@link COMMON_KEYS}. */
const UNDERSTOOD: Readonly<Record<string, readonly string[]>> = {
  string: [],
  number: [],
  boolean: [],
  null: [],
  unknown: [],
  any: [],
  literal: ['values'],
  optional: ['innerType'],
  nullable: ['innerType'],
  array: ['element'],
  union: ['options'],
  object: ['shape', 'catchall'],
  custom: ['fn', 'params', 'path'],
};

/**
 * Kinds with the same `def.type` that zod parses differently: `exactOptional` refuses a present
 * `undefined` that `optional` accepts.
 */
const MISREAD_TRAITS = ['$ZodExactOptional'];

/** `compiling` holds the schemas on the way down: a recursive schema (a getter in a shape) is left to zod. */
function compile(schema: z.core.$ZodType, compiling: Set<z.core.$ZodType>): Check | undefined {
  const internals = (schema as z.core.$ZodTypes)._zod;
  const { def } = internals;
  if (compiling.has(schema) || !isUnderstood(def, UNDERSTOOD[def.type])) return undefined;
  if (MISREAD_TRAITS.some((trait) => internals.traits.has(trait))) return undefined;
  compiling.add(schema);
  const base = compileBase(def, compiling);
  compiling.delete(schema);
  // zod hands a refinement its output, which for an object or an array is a copy (unknown keys
  // stripped, a plain prototype, holes filled): such a refinement could judge the copy and the input
  // apart, so only kinds whose output is the input itself get theirs compiled.
  return base && withChecks(base, def.checks, outputIsInput(def));
}

function compileBase(def: z.core.$ZodTypes['_zod']['def'], compiling: Set<z.core.$ZodType>): Check | undefined {
  switch (def.type) {
    case 'string':
      return (value) => typeof value === 'string';
    case 'number':
      // z.number() refuses NaN and ±Infinity (JSON.parse turns 1e400 into Infinity).
      return Number.isFinite;
    case 'boolean':
      return (value) => typeof value === 'boolean';
    case 'null':
      return (value) => value === null;
    case 'unknown':
    case 'any':
      return () => true;
    case 'literal': {
      const values: ReadonlySet<unknown> = new Set(def.values);
      return (value) => values.has(value);
    }
    case 'optional': {
      const inner = compile(def.innerType, compiling);
      return inner && ((value) => value === undefined || inner(value));
    }
    case 'nullable': {
      const inner = compile(def.innerType, compiling);
      return inner && ((value) => value === null || inner(value));
    }
    case 'array': {
      const element = compile(def.element, compiling);
      return element && ((value) => Array.isArray(value) && everyItem(value, element));
    }
    case 'union': {
      const options = compileAll(def.options, compiling);
      return options && ((value) => anyPasses(options, value));
    }
    case 'object':
      return compileObject(def, compiling);
    case 'custom': {
      const { fn } = def;
      return typeof fn === 'function' ? (value) => isPass(fn(value)) : undefined;
    }
    default:
      return undefined;
  }
}

/** Whether zod's output for a value of this kind is the value itself, not a copy. */
function outputIsInput(def: z.core.$ZodTypes['_zod']['def']): boolean {
  switch (def.type) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'null':
    case 'unknown':
    case 'any':
    case 'literal':
    case 'custom':
      return true;
    case 'optional':
    case 'nullable':
      return outputIsInput((def.innerType as z.core.$ZodTypes)._zod.def);
    case 'union':
      return def.options.every((option) => outputIsInput((option as z.core.$ZodTypes)._zod.def));
    default:
      return false;
  }
}

function compileAll(schemas: readonly z.core.$ZodType[], compiling: Set<z.core.$ZodType>): Check[] | undefined {
  const checks: Check[] = [];
  for (const schema of schemas) {
    const check = compile(schema, compiling);
    if (check === undefined) return undefined;
    checks.push(check);
  }
  return checks;
}

function compileObject(def: z.core.$ZodObjectDef, compiling: Set<z.core.$ZodType>): Check | undefined {
  // A strict object (catchall never), or a catchall with a type or checks of its own, checks keys
  // beyond the shape: not handled.
  const catchall = def.catchall?._zod.def;
  if (catchall !== undefined && !(['unknown', 'any'].includes(catchall.type) && isUnderstood(catchall, []) && !catchall.checks?.length)) {
    return undefined;
  }
  const keys = Object.keys(def.shape);
  const schemas = keys.map((key) => def.shape[key] as z.core.$ZodType);
  const fields = compileAll(schemas, compiling);
  if (fields === undefined) return undefined;
  // zod refuses an absent key unless its field is optional, even one whose field accepts undefined.
  const optional = schemas.map((schema) => schema._zod.optin === 'optional');
  const count = keys.length;
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
    const record = value as Record<string, unknown>;
    for (let index = 0; index < count; index++) {
      const key = keys[index] as string;
      const field = record[key];
      // Only an undefined value may be an absent key: the `in` lookup is paid for those alone.
      if (field === undefined && !(key in record)) {
        if (optional[index] === true) continue;
        return false;
      }
      if (!(fields[index] as Check)(field)) return false;
    }
    return true;
  };
}

/** The settings each check may carry beyond the {@link COMMON_KEYS}. */
const UNDERSTOOD_CHECKS: Readonly<Record<string, readonly string[]>> = {
  min_length: ['minimum'],
  max_length: ['maximum'],
  length_equals: ['length'],
  custom: ['fn', 'params', 'path'],
};

/**
 * The schema's base check, then its checks (`min`, `refine`, …); undefined if one is not understood,
 * or is a refinement of a kind whose output zod copies (`refinable` false).
 */
function withChecks(base: Check, checks: readonly z.core.$ZodCheck[] | undefined, refinable: boolean): Check | undefined {
  if (checks === undefined || checks.length === 0) return base;
  const compiled: Check[] = [base];
  for (const check of checks) {
    const def = check._zod.def;
    if (def.check === 'custom' && !refinable) return undefined;
    const one = isUnderstood(def, UNDERSTOOD_CHECKS[def.check]) ? compileRefinement(def) : undefined;
    if (one === undefined) return undefined;
    compiled.push(one);
  }
  // Every check must pass, even one zod would skip (`when`) or not reach (`abort`): stricter is safe.
  return (value) => allPass(compiled, value);
}

function compileRefinement(def: z.core.$ZodCheckDef): Check | undefined {
  switch (def.check) {
    case 'min_length': {
      const { minimum } = def as z.core.$ZodCheckMinLengthDef;
      return (value) => lengthOf(value) >= minimum;
    }
    case 'max_length': {
      const { maximum } = def as z.core.$ZodCheckMaxLengthDef;
      return (value) => {
        const length = lengthOf(value);
        return length >= 0 && length <= maximum;
      };
    }
    case 'length_equals': {
      const { length } = def as z.core.$ZodCheckLengthEqualsDef;
      return (value) => lengthOf(value) === length;
    }
    case 'custom': {
      // superRefine() and check(fn) keep their function elsewhere: left to zod.
      const { fn } = def as Partial<z.core.$ZodCustomDef>;
      return typeof fn === 'function' ? (value) => isPass(fn(value)) : undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Whether a definition carries nothing beyond what the compiler reads: zod may add settings that
 * change what passes (a string `format`, `coerce`, a union's `inclusive`), and those go to zod.
 */
function isUnderstood(def: object, own: readonly string[] | undefined): boolean {
  if (own === undefined) return false;
  for (const [key, value] of Object.entries(def)) {
    if (value !== undefined && !COMMON_KEYS.has(key) && !own.includes(key)) return false;
  }
  return true;
}

/**
 * What any definition may carry without changing what passes: its kind, its checks, a message, and
 * when zod runs a check (`abort`, `when`: the compiled check runs them all, which is stricter).
 */
const COMMON_KEYS: ReadonlySet<string> = new Set(['type', 'check', 'checks', 'error', 'abort', 'when']);

// Loops rather than `every`/`some` with an arrow: a closure per call is garbage per delivery.
function allPass(checks: readonly Check[], value: unknown): boolean {
  for (const check of checks) if (!check(value)) return false;
  return true;
}

function anyPasses(checks: readonly Check[], value: unknown): boolean {
  for (const check of checks) if (check(value)) return true;
  return false;
}

/** Like `Array#every`, but a hole is read as undefined, as zod reads it, not skipped. */
function everyItem(items: readonly unknown[], check: Check): boolean {
  for (let index = 0; index < items.length; index++) if (!check(items[index])) return false;
  return true;
}

/** A string's or an array's length; -1 for anything else, which no length check passes. */
function lengthOf(value: unknown): number {
  return typeof value === 'string' || Array.isArray(value) ? value.length : -1;
}

/** zod passes a refinement whose result is truthy; a promise needs `parseAsync`, so it is no pass here. */
function isPass(result: unknown): boolean {
  return Boolean(result) && !(result instanceof Promise);
}
