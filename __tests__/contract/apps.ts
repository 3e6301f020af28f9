import type { Server } from 'node:http';
import express5 from 'express';
import express4 from 'express4';
import type { ConvercWebhooks } from 'converc-webhooks';

/** Something supertest can send requests to. */
export type Target = Parameters<typeof import('supertest')>[0];

/** How a receiver is put on a server for one run of the contract suite. */
export interface Adapter {
  readonly name: string;
  /** A server that answers POST /webhooks/converc with `webhooks`. */
  mount(webhooks: ConvercWebhooks): Target;
}

/** Both majors of Express, each mounted with `app.use(path, webhooks)`. */
export const expressAdapters: readonly Adapter[] = [
  {
    name: 'Express 5',
    mount: (webhooks) => express5().use('/webhooks/converc', webhooks),
  },
  {
    name: 'Express 4',
    mount: (webhooks) => express4().use('/webhooks/converc', webhooks),
  },
];

export const WEBHOOK_PATH = '/webhooks/converc';

export type { Server };
