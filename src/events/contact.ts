import { z } from 'zod';
import type { Documented } from './documented';
import { timestampSchema } from './primitives';

/** The visitor's geo data; its fields are described on {@link Location}. */
export const locationSchema = z.looseObject({
  /** A city name (sample: `Austin`), or `null`; not documented by the provider. */
  city: z.string().nullable(),
  /** A region (sample: `TX`), or `null`; not documented by the provider. */
  region: z.string().nullable(),
  /** A country name (sample: `United States`), or `null`; not documented by the provider. */
  country: z.string().nullable(),
  /** A country code (sample: `US`), or `null`; not documented by the provider. */
  countryCode: z.string().nullable(),
  /** A time zone (sample: `America/Chicago`), or `null`; not documented by the provider. */
  timezone: z.string().nullable(),
  /** A latitude (sample: `30.2672`), or `null`; not documented by the provider. */
  latitude: z.number().nullable(),
  /** A longitude (sample: `-97.7431`), or `null`; not documented by the provider. */
  longitude: z.number().nullable(),
});

/**
 * The visitor; its fields are described on {@link Contact}. `phone` is `null` unless the visitor shared
 * one, and `location` is `null` if no geo data is available (both documented); `email`, `name` and
 * `lastSeenAt` may be `null` too.
 */
export const contactSchema = z.looseObject({
  /** An identity's id (opaque); not documented by the provider. */
  identityId: z.string(),
  /** A fingerprint (sample: `fp`); not documented by the provider. */
  fingerprint: z.string(),
  /** An email address, or `null`; not documented by the provider. Personal data: keep it out of logs. */
  email: z.string().nullable(),
  /** The phone number the visitor shared; `null` unless they shared one. Personal data: keep it out of logs. */
  phone: z.string().nullable(),
  /** A name, or `null`; not documented by the provider. Personal data: keep it out of logs. */
  name: z.string().nullable(),
  /** An ISO-8601 date-time, or `null`; not documented by the provider. */
  lastSeenAt: timestampSchema.nullable(),
  /** The visitor's geo data; `null` if no geo data is available. */
  location: locationSchema.nullable(),
});

/**
 * A contact as delivered.
 *
 * @useDeclaredType
 */
export type Contact = Documented<z.infer<typeof contactSchema>>;
/**
 * A contact's location as delivered.
 *
 * @useDeclaredType
 */
export type Location = Documented<z.infer<typeof locationSchema>>;
