export { createPostgresInbox, type InboxWorkOptions, type PostgresInbox, type PostgresInboxOptions, type ReplayDeadOptions } from './postgres-inbox';
export { PostgresDedupeStore, type PostgresDedupeStoreOptions } from './postgres-dedupe-store';
export type { InboxWorker } from './inbox-worker';
export { isInboxContext, type InboxHandlerContext } from './inbox-context';
export { DEFAULT_DEDUPE_TABLE, DEFAULT_INBOX_TABLE, dedupeSchemaSql, inboxSchemaSql } from './schema';
export type {
  PostgresClientLike,
  PostgresNotification,
  PostgresPooledClient,
  PostgresPoolLike,
  PostgresQueryable,
  PostgresQueryResult,
} from './postgres-client';
