// autocannon ships no types and @types/autocannon is not a dependency: the part the benchmark uses.
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';

  namespace autocannon {
    /** A request as `setupRequest` receives it (a copy of the defaults) and returns it. */
    interface Request {
      method?: string;
      path?: string;
      headers?: Record<string, string>;
      body?: string | Buffer;
    }

    interface Options {
      url: string;
      method?: string;
      connections?: number;
      /** Seconds. */
      duration?: number;
      /** Requests per second across all connections; without it, as fast as the server answers. */
      overallRate?: number;
      /** Milliseconds between samples of the request rate. */
      sampleInt?: number;
      /** Seconds before a request counts as timed out. */
      timeout?: number;
      requests?: { setupRequest?: (request: Request, context: Record<string, unknown>) => Request }[];
    }

    interface Result {
      /** Seconds. */
      duration: number;
      errors: number;
      timeouts: number;
      non2xx: number;
    }

    /** Emits `response(client, statusCode, bytes, responseTimeMs)` for every answer. */
    type Instance = EventEmitter;
  }

  function autocannon(options: autocannon.Options, done: (error: Error | null, result: autocannon.Result) => void): autocannon.Instance;

  export = autocannon;
}
