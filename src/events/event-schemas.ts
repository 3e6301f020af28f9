import { z } from 'zod';
import type { Documented } from './documented';
import { acceptedCallSchema, callSchema, endedCallSchema } from './call';
import { contactSchema } from './contact';
import { EVENT_TYPES, type ConvercEventType } from './event-types';
import { envelopeShape, unknownEventSchema } from './envelope';
import { jsonValueSchema } from './primitives';
import { qualificationAnswerSchema } from './qualification';
import { recordingSchema } from './recording';

/** The `data` of every `call.*` event; its fields are described on {@link CallEventData}. Unknown fields are kept. */
export const callEventDataSchema = z.looseObject({
  /** The call. */
  call: callSchema,
  /** The visitor. */
  contact: contactSchema,
  /** Answers to qualification questions (one in the provider's sample); not documented by the provider. */
  qualificationAnswers: z.array(qualificationAnswerSchema),
  /** `null` until a transcript is available; its shape is not documented, so it is any JSON value. */
  transcript: jsonValueSchema.nullable(),
  /** The call's recording. */
  recording: recordingSchema,
});

function eventSchemaOf<T extends ConvercEventType, D extends z.ZodType>(type: T, data: D) {
  return z.looseObject({
    ...envelopeShape,
    /** The event's type. */
    type: z.literal(type),
    /** The event's payload. */
    data,
  });
}

/** `call.requested`: a visitor starts a call and enters the queue. */
export const callRequestedEventSchema = eventSchemaOf('call.requested', callEventDataSchema);
/** `call.accepted`: a rep accepts the call; this package requires `data.call.acceptedAt`. */
export const callAcceptedEventSchema = eventSchemaOf(
  'call.accepted',
  callEventDataSchema.extend({
    /** The call, accepted. */
    call: acceptedCallSchema,
  }),
);
/** `call.canceled`: the visitor leaves before a rep accepts. */
export const callCanceledEventSchema = eventSchemaOf('call.canceled', callEventDataSchema);
/** `call.missed`: no rep accepts before the ring timeout. */
export const callMissedEventSchema = eventSchemaOf('call.missed', callEventDataSchema);
/** `call.ended`: a call ends (any end, queue exits included); this package requires `data.call.endedAt`. */
export const callEndedEventSchema = eventSchemaOf(
  'call.ended',
  callEventDataSchema.extend({
    /** The call, ended. */
    call: endedCallSchema,
  }),
);
/** `call.transcript_ready`: the call transcript is ready. */
export const callTranscriptReadyEventSchema = eventSchemaOf('call.transcript_ready', callEventDataSchema);
/** `call.recording_ready`: the recording has finished uploading; the signed URLs are populated. */
export const callRecordingReadyEventSchema = eventSchemaOf('call.recording_ready', callEventDataSchema);
/** `webhook.test`: sent from the provider's test endpoint; its `data` is not documented, so any object. */
export const webhookTestEventSchema = eventSchemaOf('webhook.test', z.looseObject({}));

/**
 * The schema of each documented event type. Typed member by member so that the reference names each
 * schema rather than spelling it out; the compiler holds the two lists to each other.
 */
export const eventSchemas: {
  /** The schema of `call.requested`. */
  readonly 'call.requested': typeof callRequestedEventSchema;
  /** The schema of `call.accepted`. */
  readonly 'call.accepted': typeof callAcceptedEventSchema;
  /** The schema of `call.canceled`. */
  readonly 'call.canceled': typeof callCanceledEventSchema;
  /** The schema of `call.missed`. */
  readonly 'call.missed': typeof callMissedEventSchema;
  /** The schema of `call.ended`. */
  readonly 'call.ended': typeof callEndedEventSchema;
  /** The schema of `call.transcript_ready`. */
  readonly 'call.transcript_ready': typeof callTranscriptReadyEventSchema;
  /** The schema of `call.recording_ready`. */
  readonly 'call.recording_ready': typeof callRecordingReadyEventSchema;
  /** The schema of `webhook.test`. */
  readonly 'webhook.test': typeof webhookTestEventSchema;
} = {
  'call.requested': callRequestedEventSchema,
  'call.accepted': callAcceptedEventSchema,
  'call.canceled': callCanceledEventSchema,
  'call.missed': callMissedEventSchema,
  'call.ended': callEndedEventSchema,
  'call.transcript_ready': callTranscriptReadyEventSchema,
  'call.recording_ready': callRecordingReadyEventSchema,
  'webhook.test': webhookTestEventSchema,
} as const satisfies Record<ConvercEventType, z.ZodType>;

type EventSchema = (typeof eventSchemas)[ConvercEventType];

/** Any documented event, told apart by `type`. */
export const knownEventSchema: z.ZodDiscriminatedUnion<
  readonly [(typeof eventSchemas)[ConvercEventType], ...(typeof eventSchemas)[ConvercEventType][]],
  'type'
> = z.discriminatedUnion(
  'type',
  EVENT_TYPES.map((type) => eventSchemas[type]) as unknown as readonly [EventSchema, ...EventSchema[]],
);

/**
 * Any event this package accepts: a documented one, or a valid envelope with a type it does not know
 * yet. `parseEvent` accepts exactly what this schema accepts, with clearer issue paths.
 */
export const eventSchema: z.ZodUnion<readonly [typeof knownEventSchema, typeof unknownEventSchema]> = z.union([
  knownEventSchema,
  unknownEventSchema,
]);

/**
 * The event of a documented type `T`, as a handler receives it: the fields every event has (`id`,
 * `createdAt` and `organizationId`, described on {@link UnknownEvent}), `type` (which is `T`), and a
 * `data` that is a {@link CallEventData} for a `call.*` type, or any object for `webhook.test`.
 */
export type EventOf<T extends ConvercEventType> = Documented<z.infer<(typeof eventSchemas)[T]>>;

/** Any documented event (a union told apart by `type`). */
export type ConvercEvent = EventOf<ConvercEventType>;

/**
 * The `data` of a `call.*` event.
 *
 * @useDeclaredType
 */
export type CallEventData = Documented<z.infer<typeof callEventDataSchema>>;
