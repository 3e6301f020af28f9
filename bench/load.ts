import autocannon from 'autocannon';
import type { DeliverySource } from './deliveries';
import { machineCpuMicros } from './proc-stat';
import type { ServerProcess } from './server-process';

export interface LoadOptions {
  readonly server: ServerProcess;
  readonly path: string;
  readonly deliveries: DeliverySource;
  /** Seconds. */
  readonly duration: number;
  readonly connections: number;
  /** Requests per second; 0 or absent: as fast as the server answers. */
  readonly rate?: number;
}

/** What one load run measured. */
export interface Measurement {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Server CPU time (user + system) per answered request, in microseconds. */
  readonly cpuMicrosPerRequest: number;
  /**
   * Cores kept busy, on average, by processes other than the server and the harness: on a shared
   * machine, a measurement with much of it is suspect.
   */
  readonly otherCores: number;
  /** Cores kept busy by the harness, mostly autocannon: near 1, the load generator is the bottleneck. */
  readonly harnessCores: number;
  /** Answers that were not 2xx, plus connection errors and timeouts: any of them voids the figures. */
  readonly failures: number;
}

/**
 * Sends POSTs from `deliveries` (a new one per request, through autocannon's `setupRequest`) for
 * `duration` seconds over `connections` keep-alive connections.
 */
export function runLoad(options: LoadOptions): Promise<Measurement> {
  const { server, deliveries } = options;
  // autocannon's own histogram records whole milliseconds; these light servers answer in a few.
  const latencies: number[] = [];
  const before = {
    server: server.cpuMicros(),
    harness: process.cpuUsage(),
    machine: machineCpuMicros(),
    at: performance.now(),
  };
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${String(server.port)}${options.path}`,
        method: 'POST',
        connections: options.connections,
        ...(options.rate ? { overallRate: options.rate } : {}),
        duration: options.duration,
        // autocannon stops at the first sample tick after `duration`: tick often, or a 0.3 s run lasts 1 s.
        sampleInt: 100,
        requests: [
          {
            setupRequest: (request) => {
              const delivery = deliveries();
              request.headers = { ...request.headers, ...delivery.headers };
              request.body = delivery.body;
              return request;
            },
          },
        ],
      },
      (error, result) => {
        try {
          if (error !== null) throw error;
          const serverMicros = server.cpuMicros() - before.server;
          const harness = process.cpuUsage(before.harness);
          const otherMicros = machineCpuMicros() - before.machine - serverMicros - harness.user - harness.system;
          const elapsedMicros = (performance.now() - before.at) * 1000;
          const sorted = Float64Array.from(latencies).sort();
          resolve({
            requestsPerSecond: latencies.length / result.duration,
            p50Ms: percentile(sorted, 0.5),
            p99Ms: percentile(sorted, 0.99),
            cpuMicrosPerRequest: serverMicros / Math.max(1, latencies.length),
            otherCores: Math.max(0, otherMicros / elapsedMicros),
            harnessCores: (harness.user + harness.system) / elapsedMicros,
            failures: result.non2xx + result.errors + result.timeouts,
          });
        } catch (failure) {
          reject(failure instanceof Error ? failure : new Error(String(failure)));
        }
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, milliseconds: number) => {
      latencies.push(milliseconds);
    });
  });
}

/** Nearest-rank percentile of sorted values; NaN when there are none. */
function percentile(sorted: Float64Array, share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] ?? Number.NaN;
}
