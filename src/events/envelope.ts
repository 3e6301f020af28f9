import { z } from 'zod';
import type { Documented } from './documented';
import { isKnownEventType } from './event-types';
import { idSchema, timestampSchema } from './primitives';

/** The fields every event carries, whatever its type. Unknown fields are kept. */
export const envelopeShape = {
  /** The event's id (opaque): the provider's dedupe key, as is the `X-IC-Id` header. */
  id: idSchema,
  /** The event's type, such as `call.ended`; new types may appear at any time. */
  type: z.string().min(1, 'must be a non-empty string'),
  /** An ISO-8601 date-time; not documented by the provider. */
  createdAt: timestampSchema,
  /** An organization's id (opaque); not documented by the provider. */
  organizationId: idSchema,
  /** The event's payload, whose shape depends on its type. */
  data: z.looseObject({}),
};

/**
 * An event whose `type` this version does not know: the provider adds types without notice, so such
 * an event is valid (and reaches `onAny`) as long as its envelope is. Its fields are described on
 * {@link UnknownEvent}.
 */
export const unknownEventSchema = z.looseObject({
  ...envelopeShape,
  /** The event's type: one this version does not know. */
  type: envelopeShape.type.refine((type) => !isKnownEventType(type), 'is a known event type, so its data must match that type'),
});

/**
 * An event of a type this version does not know; its `data` is any JSON object.
 *
 * @useDeclaredType
 */
export type UnknownEvent = Documented<z.infer<typeof unknownEventSchema>>;
