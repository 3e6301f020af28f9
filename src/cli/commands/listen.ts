import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { AnyEvent } from '../../core/handler-types';
import { convercWebhooks } from '../../webhooks';
import { createNodeHandler } from '../../node/node-handler';
import { CliError, usageError } from '../cli-error';
import type { Command, CommandContext } from '../command';
import { EXIT_OK, EXIT_USAGE, type ExitCode } from '../exit-codes';
import { integerOption, parseOptions } from '../parse-options';
import { summarizeEvent } from '../summarize-event';

const HELP = `Usage: converc-webhooks listen [options]

Starts a receiver (this package's own, with its validation and dedupe) and prints each delivery as
it arrives: its status, type and id, whether it was a duplicate, and a summary of the call and the
contact. Point a tunnel (ngrok, cloudflared) at it to look at real deliveries. Ctrl-C stops it.

Options:
  --port <n>     the port to listen on; 0 picks a free one (default: 3000)
  --host <host>  the address to listen on (default: 127.0.0.1, this machine only)
  --path <path>  the only path handled; others get 404 (default: every path)
  --token <secret>  require this shared secret (?token=, Bearer or Basic password), as auth.tokens does
  --json         print one JSON object per line: the listening address, then each delivery
  -h, --help     show this help

Exit codes: 0 stopped with Ctrl-C; 2 bad usage, or the port cannot be used.

Examples:
  converc-webhooks listen --port 4000 --path /webhooks/converc
  converc-webhooks listen --json | jq .type
`;

const options = {
  port: { type: 'string' },
  host: { type: 'string' },
  path: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** How many delivered events are remembered, so that a duplicate can be shown with its type. */
const REMEMBERED_EVENTS = 1000;

/** What the receiver answered, read back from its JSON body. */
interface Answer {
  readonly received?: boolean;
  readonly id?: string;
  readonly status?: string;
  readonly error?: {
    readonly code?: string;
    readonly message?: string;
    readonly issues?: readonly { readonly path: string; readonly message: string }[];
  };
}

/** `listen`: a local receiver that prints each delivery. */
export const listenCommand: Command = {
  name: 'listen',
  summary: 'run a local receiver that prints each delivery as it arrives',
  help: HELP,
  run: async (args, context) => {
    const { values, positionals } = parseOptions('listen', () =>
      parseArgs({ args: [...args], options, allowPositionals: true, strict: true }),
    );
    if (positionals.length > 0) throw usageError(`listen takes no arguments, got ${positionals.join(' ')}`, 'listen');
    const port = values.port === undefined ? 3000 : integerOption(values.port, '--port', 'listen', 0, 65535);
    const host = values.host ?? '127.0.0.1';
    const path = values.path;
    if (path !== undefined && !path.startsWith('/')) {
      throw usageError(`--path must start with '/', got ${JSON.stringify(path)}`, 'listen');
    }
    if (values.token === '') throw usageError('--token must not be empty', 'listen');
    return listen(context, { port, host, path, json: values.json === true, token: values.token });
  },
};

interface ListenSettings {
  readonly port: number;
  readonly host: string;
  readonly path: string | undefined;
  readonly json: boolean;
  readonly token: string | undefined;
}

async function listen(context: CommandContext, settings: ListenSettings): Promise<ExitCode> {
  const { out, err, errColor } = context;
  const seen = new Map<string, AnyEvent>();
  const remember = (key: string, event: AnyEvent) => {
    seen.delete(key);
    seen.set(key, event);
    const oldest = seen.keys().next();
    if (seen.size > REMEMBERED_EVENTS && oldest.done !== true) seen.delete(oldest.value);
  };
  // onAny sees each processed event, keyed by its dedupe key; the answer then says how it went.
  const auth = settings.token === undefined ? {} : { auth: { tokens: [settings.token] } };
  const webhooks = convercWebhooks(auth).onAny((event, handlerContext) => {
    remember(handlerContext.id, event);
  });
  // The answer says everything worth printing; onError would only repeat it (and without it, the
  // receiver would log handler failures to the console, which cannot happen with this one handler).
  webhooks.onError(() => undefined);
  const handle = createNodeHandler(webhooks, settings.path === undefined ? {} : { path: settings.path });
  let deliveries = 0;

  const server = createServer((req, res) => {
    const receivedAt = new Date(context.clock.now());
    const body = captureBody(res);
    res.on('close', () => {
      deliveries++;
      printDelivery(context, settings.json, { req, res, receivedAt, answer: parseAnswer(body()), seen });
    });
    handle(req, res);
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw new CliError(cannotListen(error, settings), EXIT_USAGE, undefined, { cause: error });
  }
  const { port } = server.address() as AddressInfo;
  const hostInUrl = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  const url = `http://${hostInUrl}:${port}${settings.path ?? '/'}`;
  if (settings.json) out(JSON.stringify({ listening: url }));
  else {
    out(`Listening on ${context.color.bold(url)} ${context.color.dim('(Ctrl-C to stop)')}`);
    if (!isLoopback(settings.host)) {
      err(`${errColor.yellow('note:')} ${settings.host} is reachable from other machines`);
    }
  }

  await untilAborted(context.io.signal);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  await webhooks.drain();
  if (!settings.json) out(`Stopped after ${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'}.`);
  return EXIT_OK;
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return new Promise(() => undefined);
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener('abort', () => { resolve(); }, { once: true });
  });
}

function cannotListen(error: unknown, settings: ListenSettings): string {
  const code = (error as { code?: unknown }).code;
  const where = `${settings.host}:${settings.port}`;
  if (code === 'EADDRINUSE') {
    return `cannot listen on ${where}: the port is in use (choose another with --port; 0 picks a free one)`;
  }
  if (code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return `cannot listen on ${where}: no such address on this machine`;
  }
  return `cannot listen on ${where}: ${(error as Error).message}`;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Keeps a copy of what is written with `res.end`: the receiver writes its whole JSON answer in one
 * call, so this is the answer, as the sender will see it.
 */
function captureBody(res: ServerResponse): () => string {
  let captured = '';
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    const [chunk] = args;
    if (typeof chunk === 'string') captured = chunk;
    else if (chunk instanceof Uint8Array) captured = Buffer.from(chunk).toString('utf8');
    return end(...args);
  }) as ServerResponse['end'];
  return () => captured;
}

function parseAnswer(text: string): Answer {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

interface Delivery {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly receivedAt: Date;
  readonly answer: Answer;
  readonly seen: ReadonlyMap<string, AnyEvent>;
}

function printDelivery(context: CommandContext, json: boolean, delivery: Delivery): void {
  const { req, res, receivedAt, answer, seen } = delivery;
  const event = answer.id === undefined ? undefined : seen.get(answer.id);
  const outcome =
    answer.status ?? answer.error?.code ?? (res.writableFinished ? (STATUS_CODES[res.statusCode] ?? '') : 'aborted');
  const duplicate = answer.status === 'duplicate';
  if (json) {
    context.out(
      JSON.stringify({
        receivedAt: receivedAt.toISOString(),
        method: req.method,
        path: req.url,
        status: res.statusCode,
        outcome,
        duplicate,
        id: event?.id ?? answer.id ?? headerValue(req.headers['x-ic-id']) ?? null,
        type: event?.type ?? null,
        error: answer.error ?? null,
        // A duplicate's body was the first delivery's, shown then: it is not repeated.
        event: duplicate ? null : (event ?? null),
      }),
    );
    return;
  }
  const { color } = context;
  const ok = res.statusCode >= 200 && res.statusCode < 300;
  const status = (ok ? color.green : color.red)(`${res.statusCode} ${outcome}`);
  const time = color.dim(receivedAt.toTimeString().slice(0, 8));
  // A rejected delivery has no event to show; the id its sender claimed still identifies it.
  const claimedId = answer.id ?? headerValue(req.headers['x-ic-id']);
  const label = event === undefined ? claimedId : `${color.bold(event.type)}  ${event.id}`;
  const what = label === undefined ? '' : `  ${label}`;
  context.out(`${time}  ${status}${what}${duplicate ? color.yellow('  (duplicate: no handler ran)') : ''}`);
  if (event !== undefined && !duplicate) for (const line of summarizeEvent(event)) context.out(`          ${line}`);
  if (!ok && answer.error === undefined) context.out(`          ${req.method ?? ''} ${req.url ?? ''}`);
  const indent = ' '.repeat(10);
  for (const issue of answer.error?.issues ?? []) {
    context.out(`${indent}${color.bold(issue.path || '(the event)')}: ${issue.message}`);
  }
  if (answer.error?.message !== undefined && answer.error.issues === undefined) {
    context.out(`${indent}${answer.error.message}`);
  }
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return first === '' ? undefined : first;
}
