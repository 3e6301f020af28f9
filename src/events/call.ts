import { z } from 'zod';
import type { Documented } from './documented';
import { idSchema, openEnum, timestampSchema } from './primitives';

/** The call at the heart of every `call.*` event. Unknown fields are kept. */
export const callSchema = z.looseObject({
  id: idSchema,
  /** Documented: `ended`; other values are accepted. */
  status: openEnum(['ended']),
  /** Documented: `video`; other values (an audio call, say) are accepted. */
  mediaType: openEnum(['video']),
  requestedAt: timestampSchema,
  /** `null` (or absent) until a rep accepts the call. */
  acceptedAt: timestampSchema.nullish(),
  /** `null` (or absent) until the call ends. */
  endedAt: timestampSchema.nullish(),
  /** The rep's user id; `null` (or absent) until a rep accepts the call. */
  acceptedBy: idSchema.nullish(),
  sessionId: z.string(),
  siteId: z.string(),
  visitorFingerprint: z.string(),
  qualificationFlowId: z.string().nullable(),
});

/** The call of a `call.accepted` event: accepted, so `acceptedAt` is set. */
export const acceptedCallSchema = callSchema.extend({ acceptedAt: timestampSchema });

/** The call of a `call.ended` event: ended, so `endedAt` is set. */
export const endedCallSchema = callSchema.extend({ endedAt: timestampSchema });

/** A call as delivered. */
export type Call = Documented<z.infer<typeof callSchema>>;
