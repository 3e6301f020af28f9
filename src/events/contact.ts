import { z } from 'zod';
import type { Documented } from './documented';
import { timestampSchema } from './primitives';

/** Where the visitor was, from the provider's geo lookup. */
export const locationSchema = z.looseObject({
  city: z.string().nullable(),
  region: z.string().nullable(),
  country: z.string().nullable(),
  countryCode: z.string().nullable(),
  timezone: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});

/**
 * The visitor. `phone` is `null` unless the visitor shared one (documented); `email` and `name` may be
 * `null` for a visitor who gave neither, and `location` is `null` when no geo data is available.
 */
export const contactSchema = z.looseObject({
  identityId: z.string(),
  fingerprint: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  name: z.string().nullable(),
  lastSeenAt: timestampSchema.nullable(),
  location: locationSchema.nullable(),
});

/** A contact as delivered. */
export type Contact = Documented<z.infer<typeof contactSchema>>;
/** A contact's location as delivered. */
export type Location = Documented<z.infer<typeof locationSchema>>;
