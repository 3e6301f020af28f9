/** A node-redis client (`redis` 4 and later): commands go through `sendCommand([...])`. */
export interface NodeRedisClientLike {
  /** Sends one command, its name and arguments as one array, and resolves with the reply. */
  sendCommand(args: string[]): Promise<unknown>;
}

/** An ioredis client: commands go through `call(name, ...args)`. */
export interface IoRedisClientLike {
  /** Sends one command with its arguments, and resolves with the reply. */
  call(command: string, ...args: string[]): Promise<unknown>;
}

/**
 * An already connected client of either common library. Only the shape is required, so neither
 * library is a dependency of this package.
 */
export type RedisClientLike = NodeRedisClientLike | IoRedisClientLike;

/** Sends one raw command with whichever client was given. */
export type RedisCommand = (args: readonly string[]) => Promise<unknown>;

/** Whether `value` has the shape of a client of either library. */
export function isRedisClient(value: unknown): value is RedisClientLike {
  const client = value as Partial<IoRedisClientLike & NodeRedisClientLike> | null;
  return typeof client?.call === 'function' || typeof client?.sendCommand === 'function';
}

/** One way to send a raw command, whichever library the client comes from (checked by {@link isRedisClient}). */
export function commandFor(client: RedisClientLike): RedisCommand {
  // ioredis also has a sendCommand, taking a Command object: test for its `call` first.
  if (typeof (client as Partial<IoRedisClientLike>).call === 'function') {
    const io = client as IoRedisClientLike;
    return ([command = '', ...args]) => io.call(command, ...args);
  }
  const node = client as NodeRedisClientLike;
  return (args) => node.sendCommand([...args]);
}
