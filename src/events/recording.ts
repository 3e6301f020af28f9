import { z } from 'zod';
import type { Documented } from './documented';

/**
 * The call's recording; its fields are described on {@link Recording}. `available` is `false` until a
 * recording has been saved; the URLs are signed and only populated on `call.recording_ready`, where
 * `expiresInSeconds` is their expiry in seconds.
 */
export const recordingSchema = z.looseObject({
  /** `false` until a recording has been saved. */
  available: z.boolean(),
  /** A signed URL, populated only on `call.recording_ready`, else `null`. */
  videoUrl: z.string().nullable(),
  /** A signed URL, populated only on `call.recording_ready`, else `null`. */
  audioUrl: z.string().nullable(),
  /** The signed URLs' expiry, in seconds; `null` while there are none. */
  expiresInSeconds: z.number().nullable(),
});

/**
 * A recording as delivered.
 *
 * @useDeclaredType
 */
export type Recording = Documented<z.infer<typeof recordingSchema>>;
