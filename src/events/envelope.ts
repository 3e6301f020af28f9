import { z } from 'zod';
import type { Documented } from './documented';
import { isKnownEventType } from './event-types';
import { idSchema, timestampSchema } from './primitives';

/** The fields every event carries, whatever its type. Unknown fields are kept. */
export const envelopeShape = {
  id: idSchema,
  type: z.string().min(1, 'must be a non-empty string'),
  createdAt: timestampSchema,
  organizationId: idSchema,
  data: z.looseObject({}),
};

/**
 * An event whose `type` this version does not know: the provider adds types without notice, so such
 * an event is valid (and reaches `onAny`) as long as its envelope is.
 */
export const unknownEventSchema = z.looseObject({
  ...envelopeShape,
  type: envelopeShape.type.refine((type) => !isKnownEventType(type), 'is a known event type, so its data must match that type'),
});

/** An event of a type this version does not know; its `data` is any JSON object. */
export type UnknownEvent = Documented<z.infer<typeof unknownEventSchema>>;
