import {
  CONVERC_PATH,
  GITHUB_PATH,
  duplicateFlood,
  freshEvents,
  githubPushes,
  transcriptEvents,
  type DeliverySource,
} from './deliveries';

/** The servers bench/serve-variant.ts can start, one per child process. */
export const SERVER_KINDS = [
  'node-json',
  'express-json',
  'express-answer',
  'express-zod',
  'converc-express',
  'converc-node',
  'converc-node-channels',
  'converc-node-observed',
  'octokit-express',
  'octokit-node',
] as const;

export type ServerKind = (typeof SERVER_KINDS)[number];

export function isServerKind(value: unknown): value is ServerKind {
  return (SERVER_KINDS as readonly unknown[]).includes(value);
}

export interface Variant {
  /** The number the issue gives it. */
  readonly id: number;
  readonly title: string;
  readonly server: ServerKind;
  readonly path: string;
  /** Makes the variant's source of deliveries; called once per run, so its state spans warm-up and rounds. */
  readonly deliveries: () => DeliverySource;
  /** Its server loads the package from the build `bench/run.ts --baseline <dir>` names, not from dist/. */
  readonly baselineBuild?: true;
}

/** Variant 7's events, and its floor's: a 256 KB transcript in each. */
const largeTranscripts = (): DeliverySource => transcriptEvents(256 * 1024);

/**
 * The variants of issue 9, in its order, references of ours, and variants 4 and 5 at an earlier build
 * (13, 14). Ratios are to variant {@link BASELINE} (not to be confused with the baseline build).
 */
export const VARIANTS: readonly Variant[] = [
  { id: 1, title: 'node:http + JSON.parse (floor)', server: 'node-json', path: CONVERC_PATH, deliveries: freshEvents },
  { id: 2, title: 'Express 5 + express.json()', server: 'express-json', path: CONVERC_PATH, deliveries: freshEvents },
  { id: 3, title: 'hand-written: Express + zod + Map', server: 'express-zod', path: CONVERC_PATH, deliveries: freshEvents },
  { id: 4, title: 'converc-webhooks in Express', server: 'converc-express', path: CONVERC_PATH, deliveries: freshEvents },
  { id: 5, title: 'converc-webhooks on node:http', server: 'converc-node', path: CONVERC_PATH, deliveries: freshEvents },
  { id: 6, title: 'variant 4, 90% duplicates', server: 'converc-express', path: CONVERC_PATH, deliveries: duplicateFlood },
  {
    id: 7,
    title: 'variant 4, 256 KB transcript',
    server: 'converc-express',
    path: CONVERC_PATH,
    deliveries: largeTranscripts,
  },
  { id: 8, title: '@octokit/webhooks in Express', server: 'octokit-express', path: GITHUB_PATH, deliveries: githubPushes },
  { id: 9, title: '@octokit/webhooks on node:http', server: 'octokit-node', path: GITHUB_PATH, deliveries: githubPushes },
  // Not one of the issue's variants: the floor under variant 7's load, so its p99 has a reference.
  {
    id: 10,
    title: 'variant 1, 256 KB transcript (floor of 7)',
    server: 'node-json',
    path: CONVERC_PATH,
    deliveries: largeTranscripts,
  },
  // Not one of the issue's variants: variant 6's flood without Express, where a request costs a fifth as much.
  { id: 11, title: 'variant 5, 90% duplicates', server: 'converc-node', path: CONVERC_PATH, deliveries: duplicateFlood },
  // Not one of the issue's variants: Express answering at once, the body unread, under variant 6's load.
  // What any answer mounted in Express costs at the least: from it, an estimate of what variant 6 can reach.
  {
    id: 12,
    title: 'Express answering at once (Express alone)',
    server: 'express-answer',
    path: CONVERC_PATH,
    deliveries: duplicateFlood,
  },
  // Only with `bench/run.ts --baseline <dir>`: variants 4 and 5 again, the package loaded from an earlier
  // build (<dir>/dist) in a server of their own, to compare the two builds loaded together.
  {
    id: 13,
    title: 'variant 4 at the baseline build (converc-webhooks in Express, --baseline)',
    server: 'converc-express',
    path: CONVERC_PATH,
    deliveries: freshEvents,
    baselineBuild: true,
  },
  {
    id: 14,
    title: 'variant 5 at the baseline build (converc-webhooks on node:http, --baseline)',
    server: 'converc-node',
    path: CONVERC_PATH,
    deliveries: freshEvents,
    baselineBuild: true,
  },
  // Issue 18: variant 5 with a subscriber on both diagnostics channels (no-op functions: the cost of
  // publishing), and with pino writing to /dev/null and prom-client metrics on.
  { id: 15, title: 'variant 5, diagnostics channels subscribed', server: 'converc-node-channels', path: CONVERC_PATH, deliveries: freshEvents },
  { id: 16, title: 'variant 5, pino to /dev/null + prom-client metrics', server: 'converc-node-observed', path: CONVERC_PATH, deliveries: freshEvents },
];

export const BASELINE = 2;
