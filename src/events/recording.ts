import { z } from 'zod';
import type { Documented } from './documented';

/**
 * The call's recording. `available` is `false` until a recording has been saved; the URLs are signed
 * and only populated on `call.recording_ready`, where `expiresInSeconds` says how long they work.
 */
export const recordingSchema = z.looseObject({
  available: z.boolean(),
  videoUrl: z.string().nullable(),
  audioUrl: z.string().nullable(),
  expiresInSeconds: z.number().nullable(),
});

/** A recording as delivered. */
export type Recording = Documented<z.infer<typeof recordingSchema>>;
