import { z } from 'zod';

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
export type Recording = z.infer<typeof recordingSchema>;
