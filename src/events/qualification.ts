import { z } from 'zod';
import type { Documented } from './documented';
import { idSchema, openEnum, timestampSchema } from './primitives';

/** One value an answer can carry: a multi-select question answers with an array of them. */
const scalarAnswerSchema = z.union([z.string(), z.number(), z.boolean()]);

/** A qualification question, as shown to the visitor. */
export const questionSchema = z.looseObject({
  id: idSchema,
  label: z.string(),
  /** Documented: `single_select`; other question types are accepted. */
  type: openEnum(['single_select']),
  required: z.boolean(),
  position: z.number(),
  /** The choices of a select question; a free-text question may have none. */
  options: z.array(z.looseObject({ label: z.string(), value: scalarAnswerSchema })).nullish(),
});

/** One answer the visitor gave to a qualification question. */
export const qualificationAnswerSchema = z.looseObject({
  id: idSchema,
  questionId: idSchema,
  position: z.number(),
  question: questionSchema,
  answer: z.looseObject({
    /** A string, number or boolean; an array of those for a multi-select question; or `null`. */
    value: z.union([scalarAnswerSchema, z.array(scalarAnswerSchema)]).nullable(),
  }),
  createdAt: timestampSchema,
});

/** A qualification answer as delivered. */
export type QualificationAnswer = Documented<z.infer<typeof qualificationAnswerSchema>>;
