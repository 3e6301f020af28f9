import { z } from 'zod';
import type { Documented } from './documented';
import { idSchema, openEnum, timestampSchema } from './primitives';

/** The call at the heart of every `call.*` event; its fields are described on {@link Call}. Unknown fields are kept. */
export const callSchema = z.looseObject({
  /** The call's id (opaque). */
  id: idSchema,
  /** The call's status: `ended` in the provider's sample; other values are not listed, and are accepted. */
  status: openEnum(['ended']),
  /** The call's media type: `video` in the provider's sample; other values are not listed, and are accepted. */
  mediaType: openEnum(['video']),
  /** An ISO-8601 date-time; not documented by the provider. */
  requestedAt: timestampSchema,
  /** An ISO-8601 date-time, `null` or absent; not documented by the provider (this package requires it on `call.accepted`). */
  acceptedAt: timestampSchema.nullish(),
  /** An ISO-8601 date-time, `null` or absent; not documented by the provider (this package requires it on `call.ended`). */
  endedAt: timestampSchema.nullish(),
  /** A user's id (opaque), `null` or absent; not documented by the provider. */
  acceptedBy: idSchema.nullish(),
  /** A session's id; not documented by the provider. */
  sessionId: z.string(),
  /** A site's id; not documented by the provider. */
  siteId: z.string(),
  /** A fingerprint of the visitor (sample: `fp`); not documented by the provider. */
  visitorFingerprint: z.string(),
  /** A qualification flow's id, or `null` (as in the provider's sample); not documented by the provider. */
  qualificationFlowId: z.string().nullable(),
});

/** The call of a `call.accepted` event, whose `acceptedAt` this package requires. */
export const acceptedCallSchema = callSchema.extend({
  /** An ISO-8601 date-time; not documented by the provider (this package requires it on `call.accepted`). */
  acceptedAt: timestampSchema,
});

/** The call of a `call.ended` event, whose `endedAt` this package requires. */
export const endedCallSchema = callSchema.extend({
  /** An ISO-8601 date-time; not documented by the provider (this package requires it on `call.ended`). */
  endedAt: timestampSchema,
});

/**
 * A call as delivered.
 *
 * @useDeclaredType
 */
export type Call = Documented<z.infer<typeof callSchema>>;
