export { convercWebhooks, type CloseOptions, type ConvercWebhooks } from './webhooks';
export type { CloseResult, ReplayStatus } from './core/receiver';
export type { RetryOptions } from './core/retry';
export { createNodeHandler, type NodeHandler, type NodeHandlerOptions } from './node/node-handler';
export type { NextFunction } from './node/serve-node';
export {
  createFetchHandler,
  type FetchContext,
  type FetchHandler,
  type FetchHandlerOptions,
} from './fetch/fetch-handler';
export type { BodyKeepingRequest, FetchRequest } from './fetch/read-body';
export type { ConvercWebhooksOptions, AckMode, DeadLetterHandler, StoreErrorPolicy } from './core/options';
export type { AuthOptions } from './auth/auth-options';
export type {
  AnyEvent,
  ErrorHandler,
  EventHandler,
  HandlerContext,
  HandlerMap,
  IncomingHeaders,
} from './core/handler-types';
export type { DeliveryStatus, ErrorBody, SuccessBody } from './core/reply';
export type { DeliveryOutcome, OutcomeKind, StageTimings } from './core/outcome';
export {
  consoleLogger,
  DELIVERY_MESSAGE,
  LOG_LEVELS,
  RETRY_MESSAGE,
  type ConsoleLoggerOptions,
  type DeliveryLogFields,
  type Logger,
  type LogLevel,
} from './observability/logger';
export {
  DELIVERY_CHANNEL,
  HANDLER_CHANNEL,
  type DeliveryTrace,
  type HandlerTrace,
} from './observability/channels';
export type { Handoff, HandoffTrace } from './core/handoff';
export { MemoryDedupeStore, type MemoryDedupeOptions } from './dedupe/memory';
export type { DedupeClaim, DedupeStore } from './dedupe/dedupe-store';
export {
  WebhookError,
  isWebhookError,
  ERROR_STATUS,
  type ValidationIssue,
  type WebhookErrorCode,
  type WebhookErrorDetails,
  type WebhookErrorJson,
} from './errors/webhook-error';
export { EVENT_TYPES, isKnownEventType, type ConvercEventType } from './events/event-types';
export { parseEvent } from './events/parse-event';
export { isEventOf } from './events/is-event-of';
export { unknownEventSchema, type UnknownEvent } from './events/envelope';
export {
  eventSchema,
  knownEventSchema,
  eventSchemas,
  callEventDataSchema,
  callRequestedEventSchema,
  callAcceptedEventSchema,
  callCanceledEventSchema,
  callMissedEventSchema,
  callEndedEventSchema,
  callTranscriptReadyEventSchema,
  callRecordingReadyEventSchema,
  webhookTestEventSchema,
  type CallEventData,
  type ConvercEvent,
  type EventOf,
} from './events/event-schemas';
export { callSchema, type Call } from './events/call';
export { contactSchema, locationSchema, type Contact, type Location } from './events/contact';
export { qualificationAnswerSchema, questionSchema, type QualificationAnswer } from './events/qualification';
export { recordingSchema, type Recording } from './events/recording';
export type { JsonValue } from './events/primitives';
export type { Documented } from './events/documented';
