export { RedisDedupeStore, type RedisDedupeStoreOptions } from './redis-store';
export type { IoRedisClientLike, NodeRedisClientLike, RedisClientLike } from './redis-client';
