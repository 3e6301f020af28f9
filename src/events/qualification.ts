import { z } from 'zod';
import type { Documented } from './documented';
import { idSchema, openEnum, timestampSchema } from './primitives';

/** One value an answer can carry; an answer may also be an array of them. */
const scalarAnswerSchema = z.union([z.string(), z.number(), z.boolean()]);

/** A qualification question, the `question` of a {@link QualificationAnswer}. */
export const questionSchema = z.looseObject({
  /** The question's id (opaque). */
  id: idSchema,
  /** A label (sample: `Company size`); not documented by the provider. */
  label: z.string(),
  /** The question's type: `single_select` in the provider's sample; other types are not listed, and are accepted. */
  type: openEnum(['single_select']),
  /** A flag (sample: `true`); not documented by the provider. */
  required: z.boolean(),
  /** A number (sample: `1`); not documented by the provider. */
  position: z.number(),
  /** The question's options, each a `label` and a `value` (as in the sample), `null` or absent; not documented by the provider. */
  options: z
    .array(
      z.looseObject({
        /** An option's label (sample: `1-10`); not documented by the provider. */
        label: z.string(),
        /** An option's value (sample: `1-10`): a string, number or boolean; not documented by the provider. */
        value: scalarAnswerSchema,
      }),
    )
    .nullish(),
});

/** One answer to a qualification question; its fields are described on {@link QualificationAnswer}. */
export const qualificationAnswerSchema = z.looseObject({
  /** The answer's id (opaque). */
  id: idSchema,
  /** A question's id (in the sample, that of `question`); not documented by the provider. */
  questionId: idSchema,
  /** A number (sample: `1`); not documented by the provider. */
  position: z.number(),
  /** The question (sample: a `single_select` one with its options); not documented by the provider. */
  question: questionSchema,
  /** The answer given, as `{ value }`; not documented by the provider. */
  answer: z.looseObject({
    /** A string in the sample; a number, a boolean, an array of those, or `null` are accepted too. */
    value: z.union([scalarAnswerSchema, z.array(scalarAnswerSchema)]).nullable(),
  }),
  /** An ISO-8601 date-time; not documented by the provider. */
  createdAt: timestampSchema,
});

/**
 * A qualification answer as delivered.
 *
 * @useDeclaredType
 */
export type QualificationAnswer = Documented<z.infer<typeof qualificationAnswerSchema>>;
