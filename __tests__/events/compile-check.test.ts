import fc from 'fast-check';
import { z } from 'zod';
import { compileCheck } from '../../src/events/compile-check';
import { unknownEventSchema } from '../../src/events/envelope';
import { eventSchemas } from '../../src/events/event-schemas';
import { fixtures, futureEvent } from '../fixtures/events';
import { nearSchemaEvent } from '../fixtures/arbitraries';

const sparse: unknown[] = [];
sparse[1] = 1;

/** Values of every JSON kind and a few that JSON cannot carry but a parsed body might. */
const VALUES: readonly unknown[] = [
  '',
  'x',
  'ab',
  'abcd',
  'xyz',
  0,
  -0,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  true,
  false,
  null,
  undefined,
  [],
  [1],
  [1, 'a'],
  sparse,
  {},
  { a: 'x' },
  { a: 'x', b: 1 },
  { a: 'x', b: 'y' },
  { a: 'x', extra: [1] },
  { a: null },
  { a: undefined },
  Object.assign(Object.create(null) as object, { a: 'x' }),
  new Date(0),
  Promise.resolve('x'),
];

/** Schemas the compiler understands, of every kind it handles. */
const UNDERSTOOD: Record<string, z.ZodType> = {
  string: z.string(),
  'string min': z.string().min(1),
  'string max': z.string().max(3),
  'string length': z.string().length(2),
  'string refine': z.string().refine((value) => value.startsWith('x')),
  'string with a message': z.string({ error: 'must be text' }),
  number: z.number(),
  boolean: z.boolean(),
  null: z.null(),
  unknown: z.unknown(),
  any: z.any(),
  literal: z.literal('x'),
  'literal of several': z.literal(['x', 1]),
  nullable: z.string().nullable(),
  optional: z.string().optional(),
  nullish: z.string().nullish(),
  array: z.array(z.number()),
  'array min': z.array(z.number()).min(1),
  union: z.union([z.string(), z.number()]),
  'loose object': z.looseObject({ a: z.string(), b: z.number().optional() }),
  'object (extra keys stripped)': z.object({ a: z.string() }),
  'object with a field that takes anything': z.object({ a: z.unknown() }),
  'object with a custom field': z.looseObject({ a: z.custom<unknown>(() => true) }),
  'refined string, nullable': z.string().refine((value) => value !== 'ab').nullable(),
  custom: z.custom<unknown>((value) => value !== undefined),
  'custom refine returning a promise': z.string().refine((value) => Promise.resolve(value === 'x')),
  'refine that throws': z.unknown().refine((value) => (value as { a: string }).a.length > 0),
};

/** Schemas whose meaning the compiler does not read: they must compile to nothing, and go to zod. */
const NOT_UNDERSTOOD: Record<string, z.ZodType> = {
  'string format (email)': z.email(),
  'string format check': z.string().check(z.email()),
  'string regex': z.string().regex(/x/),
  'string trim (a transform)': z.string().trim(),
  'coerced string': z.coerce.string(),
  'integer': z.number().int(),
  'number minimum': z.number().min(1),
  'strict object': z.strictObject({ a: z.string() }),
  'object with a typed catchall': z.looseObject({ a: z.string() }).catchall(z.number()),
  'exclusive union': z.xor([z.string(), z.number()]),
  transform: z.string().transform((value) => value.length),
  default: z.string().default('x'),
  'nested unknown part': z.looseObject({ a: z.array(z.email()) }),
  enum: z.enum(['x']),
  record: z.record(z.string(), z.number()),
  // zod refines its output, a copy for objects and arrays: unknown keys stripped, holes filled.
  'object refine': z.looseObject({ a: z.string() }).refine((value) => value.a !== 'ab'),
  'array refine': z.array(z.unknown()).refine((items) => items.every((item) => item !== undefined)),
  'catchall with a refinement': z.object({ a: z.string() }).catchall(z.unknown().refine((value) => typeof value === 'string')),
  'exact optional': z.object({ a: z.string().exactOptional() }),
  superRefine: z.string().superRefine(() => undefined),
  'check with a function': z.string().check(() => undefined),
  recursive: recursiveSchema(),
};

/** A tree whose children are trees: the getter makes the shape refer to itself. */
function recursiveSchema(): z.ZodType {
  const node: z.ZodType = z.object({
    id: z.string(),
    get child() {
      return node.optional();
    },
  });
  return node;
}

describe('compileCheck', () => {
  describe.each(Object.entries(UNDERSTOOD))('%s', (_name, schema) => {
    const check = compileCheck(schema);

    it('compiles', () => {
      expect(check).toBeInstanceOf(Function);
    });

    it.each(VALUES.map((value) => [describeValue(value), value]))('agrees with zod on %s', (_label, value) => {
      const zodSays = safeParseSuccess(schema, value);
      expect(check?.(value)).toBe(zodSays);
    });
  });

  it.each(Object.entries(NOT_UNDERSTOOD))('compiles %s to nothing, leaving it to zod', (_name, schema) => {
    expect(compileCheck(schema)).toBeUndefined();
  });

  it('says no to a refinement that throws, so zod decides', () => {
    const check = compileCheck(z.unknown().refine(() => {
      throw new Error('boom');
    }));
    expect(check?.('x')).toBe(false);
  });

  describe('the event schemas', () => {
    const schemas = { ...eventSchemas, unknown: unknownEventSchema };

    it.each(Object.keys(schemas))('%s compiles', (name) => {
      expect(compileCheck(schemas[name as keyof typeof schemas])).toBeInstanceOf(Function);
    });

    it.each(Object.entries(fixtures))('passes the %s fixture, so the fast path is the one taken', (type, event) => {
      expect(compileCheck(eventSchemas[type as keyof typeof eventSchemas])?.(event)).toBe(true);
    });

    it('passes an event of a type not documented yet', () => {
      expect(compileCheck(unknownEventSchema)?.(futureEvent)).toBe(true);
    });

    it('agrees with zod on events near the schema, for every event schema', () => {
      const checks = Object.values(schemas).map((schema) => ({ schema, check: compileCheck(schema) }));
      fc.assert(
        fc.property(nearSchemaEvent, (event) => {
          for (const { schema, check } of checks) expect(check?.(event)).toBe(safeParseSuccess(schema, event));
        }),
        { numRuns: 500 },
      );
    });

    it('agrees with zod on any JSON value', () => {
      const check = compileCheck(eventSchemas['call.ended']);
      fc.assert(
        fc.property(fc.jsonValue(), (value) => {
          expect(check?.(value)).toBe(safeParseSuccess(eventSchemas['call.ended'], value));
        }),
        { numRuns: 300 },
      );
    });
  });
});

/** zod's verdict; a refinement that throws makes zod throw, which is a "no" too. */
function safeParseSuccess(schema: z.ZodType, value: unknown): boolean {
  try {
    return schema.safeParse(value).success;
  } catch {
    return false;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === sparse) return 'a sparse array';
  if (value instanceof Promise) return 'a promise';
  if (value instanceof Date) return 'a Date';
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === null) return 'a null-prototype object';
  return JSON.stringify(value);
}
