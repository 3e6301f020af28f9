import { open, type FileHandle } from 'node:fs/promises';
import { createServer, STATUS_CODES, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { AnyEvent } from '../../core/handler-types';
import { receiverOf } from '../../core/receivers';
import { toReply } from '../../core/reply';
import { isWebhookError, type ValidationIssue } from '../../errors/webhook-error';
import { EVENT_TYPES, isKnownEventType } from '../../events/event-types';
import { parseEvent } from '../../events/parse-event';
import { deliveryIdHeader } from '../../core/request-headers';
import { readNodeBody } from '../../node/read-body';
import { nodeDelivery } from '../../node/serve-node';
import { isPath, pathnameOf } from '../../node/request-path';
import { writeReply } from '../../node/write-reply';
import { closestName } from '../../options/closest-name';
import { convercWebhooks } from '../../webhooks';
import { CliError, usageError } from '../cli-error';
import type { Command, CommandContext } from '../command';
import { EXIT_OK, EXIT_USAGE, type ExitCode } from '../exit-codes';
import { DeliveryLog, shownHeaders, shownPath, type ListenAnswer, type ListenEntry } from '../listen/delivery-log';
import { forwardDelivery } from '../listen/forward-delivery';
import { INSPECTOR_PATH, isInspectorRequest, serveInspector } from '../listen/inspector-server';
import { integerOption, parseOptions } from '../parse-options';
import { summarizeEvent } from '../summarize-event';
import { urlOption } from '../url-option';

const HELP = `Usage: converc-webhooks listen [options]

Starts a receiver (this package's own, with its validation and dedupe) and prints each delivery as
it arrives: its status, type and id, whether it was a duplicate, and a summary of the call and the
contact. Point a tunnel (ngrok, cloudflared) at it to look at real deliveries. Ctrl-C stops it.

With --forward-to, it relays each delivery to your app instead (the same body, the same X-IC-Id),
answers the sender with the app's answer, and prints both sides:
  --> call.ended evt_1
  <-- 200 processed 12 ms
A delivery your app did not take (it is down) is kept: resend it from --ui, or find it in --save.

Options:
  --port <n>          the port to listen on; 0 picks a free one (default: 3000)
  --host <host>       the address to listen on (default: 127.0.0.1, this machine only)
  --path <path>       the only path handled; others get 404 (default: every path)
  --token <secret>    require this shared secret (?token=, Bearer or Basic password), as auth.tokens
                      does (not with --forward-to: your app checks its own)
  --forward-to <url>  relay each delivery to your app at this URL
  --events <types>    only these types (comma-separated) are printed, kept and relayed; with
                      --forward-to the others are answered 200 ignored
  --print-json        print each event's body, as it came, after its line
  --save <file>       append each delivery's body to this .jsonl file, one a line, for replay
  --ui                serve the inspector at ${INSPECTOR_PATH} on the same port: the deliveries live,
                      with resend, copy as curl and save as fixture (to this machine only)
  --json              print one JSON object per line: the listening address, then each delivery
  -h, --help          show this help

Exit codes: 0 stopped with Ctrl-C; 2 bad usage, or the port or the --save file cannot be used.

Examples:
  converc-webhooks listen --port 4000 --path /webhooks/converc
  converc-webhooks listen --json | jq .type
  converc-webhooks listen --port 4000 --forward-to http://localhost:3000/webhooks/converc --ui
`;

const options = {
  port: { type: 'string' },
  host: { type: 'string' },
  path: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean' },
  'forward-to': { type: 'string' },
  events: { type: 'string' },
  'print-json': { type: 'boolean' },
  save: { type: 'string' },
  ui: { type: 'boolean' },
} as const;

/** How many delivered events are remembered, so that a duplicate can be shown with its type. */
const REMEMBERED_EVENTS = 1000;
/** The most a relayed body may weigh: the receiver's own default `limit`. */
const FORWARD_LIMIT = 5 * 1024 * 1024;
/** How long a relayed body may take to arrive, as the provider's timeout. */
const BODY_TIMEOUT_MS = 8000;

/** What the receiver answered, read back from its JSON body. */
interface Answer {
  readonly received?: boolean;
  readonly id?: string;
  readonly status?: string;
  readonly error?: {
    readonly code?: string;
    readonly message?: string;
    readonly issues?: readonly ValidationIssue[];
  };
}

/** `listen`: a local receiver that prints each delivery, or a relay to your app. */
export const listenCommand: Command = {
  name: 'listen',
  summary: 'receive deliveries locally, print them, relay them to your app, watch them in a browser',
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
    const forwardTo = values['forward-to'] === undefined ? undefined : urlOption(values['forward-to'], 'listen', '--forward-to');
    if (forwardTo !== undefined && values.token !== undefined) {
      throw usageError('--token is for the local receiver; with --forward-to your app checks its own', 'listen');
    }
    const events = values.events === undefined ? undefined : eventsOption(values.events, context);
    const save = values.save === undefined ? undefined : await openSaveFile(values.save);
    try {
      return await listen(context, {
        port,
        host,
        path,
        json: values.json === true,
        token: values.token,
        forwardTo,
        events,
        printJson: values['print-json'] === true,
        save,
        ui: values.ui === true,
      });
    } finally {
      await save?.close();
    }
  },
};

interface ListenSettings {
  readonly port: number;
  readonly host: string;
  readonly path: string | undefined;
  readonly json: boolean;
  readonly token: string | undefined;
  readonly forwardTo: URL | undefined;
  readonly events: ReadonlySet<string> | undefined;
  readonly printJson: boolean;
  readonly save: FileHandle | undefined;
  readonly ui: boolean;
}

/** `--events call.ended,call.missed`: a set of types. A type this version does not know is kept, with a note. */
function eventsOption(value: string, context: CommandContext): ReadonlySet<string> {
  const types = value.split(',').map((type) => type.trim()).filter((type) => type !== '');
  if (types.length === 0) throw usageError('--events needs at least one type, such as call.ended,call.missed', 'listen');
  for (const type of types.filter((name) => !isKnownEventType(name))) {
    const nearest = closestName(type, EVENT_TYPES);
    const guess = nearest === undefined ? '' : ` (did you mean ${nearest}?)`;
    context.err(`${context.errColor.yellow('note:')} --events: ${type} is not a type this version knows${guess}`);
  }
  return new Set(types);
}

async function openSaveFile(path: string): Promise<FileHandle> {
  try {
    return await open(path, 'a');
  } catch (error) {
    throw new CliError(`cannot write --save ${path}: ${(error as Error).message}`, EXIT_USAGE, undefined, { cause: error });
  }
}

async function listen(context: CommandContext, settings: ListenSettings): Promise<ExitCode> {
  const { out, err, errColor } = context;
  const log = new DeliveryLog();
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
  const receiver = receiverOf(webhooks);
  let deliveries = 0;
  let saving = Promise.resolve();
  /** Keeps a delivery for the inspector, and appends its body to `--save` when it came with it (a known duplicate's never does). */
  const keep = (entry: Omit<ListenEntry, 'seq'>, bodyCame: boolean): ListenEntry => {
    const kept = log.add(entry);
    if (settings.save !== undefined && bodyCame && entry.body !== null) {
      const line = oneLine(entry.body);
      const file = settings.save;
      // In order, one after the other; a failure to write is said, and does not stop listening.
      saving = saving.then(() => file.appendFile(`${line}\n`)).catch((error: unknown) => {
        err(`${errColor.red('error:')} --save: ${(error as Error).message}`);
      });
    }
    return kept;
  };
  // The headers a resend carries again, Authorization included, which the entries (shown in the
  // inspector) hide; weakly held, so that they go with the entries the log lets go.
  const sentHeaders = new WeakMap<ListenEntry, IncomingHttpHeaders>();
  const resend = async (entry: ListenEntry): Promise<ListenAnswer> => {
    if (settings.forwardTo === undefined || entry.body === null) return entry.answer;
    const headers = sentHeaders.get(entry) ?? {};
    const { answer } = await forwardDelivery(settings.forwardTo, entry.body, headers, context.clock, entry.method);
    entry.answer = answer;
    entry.resends++;
    log.changed(entry);
    printRelay(context, settings, entry, 'resent');
    return answer;
  };

  let baseUrl = '';
  const server = createServer((req, res) => {
    if (settings.ui && isInspectorRequest(req.url)) {
      serveInspector(req, res, { log, resend, listenUrl: baseUrl, forwardTo: settings.forwardTo?.href });
      return;
    }
    deliveries++;
    const receivedAt = new Date(context.clock.now());
    if (settings.path !== undefined && !isPath(pathnameOf(req.url), settings.path)) {
      req.resume();
      res.on('close', () => { printDelivery(context, settings.json, { req, res, receivedAt, answer: {}, seen }); });
      res.writeHead(404, { 'content-length': 0 }).end();
      return;
    }
    const handled =
      settings.forwardTo === undefined
        ? receiveHere(req, res, receivedAt)
        : relay(req, res, receivedAt, settings.forwardTo);
    handled.catch((error: unknown) => {
      // Neither path throws by design; should one, the sender gets an answer and the reason is shown.
      err(`${errColor.red('unexpected error:')} ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  /** The local receiver's path: this package's validation and dedupe answer the sender. */
  async function receiveHere(req: IncomingMessage, res: ServerResponse, receivedAt: Date): Promise<void> {
    // Set by readBody, which the receiver calls (or not, for a known duplicate) before it resolves.
    const read: { text: string | null } = { text: null };
    const delivery = nodeDelivery(req);
    const outcome = await receiver.receive({
      ...delivery,
      readBody: async (limit, timeoutMs) => {
        const body = await delivery.readBody(limit, timeoutMs);
        if ('text' in body) read.text = body.text;
        return body;
      },
    });
    const { text } = read;
    const reply = toReply(outcome);
    writeReply(res, reply);
    const answer = reply.body as Answer;
    // The receiver's id: the X-IC-Id header, from the start, else the event's once it was read.
    const id = outcome.id ?? null;
    const event = outcome.id === undefined ? undefined : seen.get(outcome.id);
    const type = outcome.type ?? event?.type ?? typeOf(text);
    if (!wanted(settings, type)) return;
    keep({
      receivedAt: receivedAt.toISOString(),
      method: req.method ?? 'GET',
      path: shownPath(req.url),
      headers: shownHeaders(req.headers),
      body: text ?? (outcome.kind === 'duplicate' && id !== null ? log.bodyOf(id) : null),
      id,
      type,
      issues: answer.error?.issues ?? [],
      answer: {
        status: reply.status,
        outcome: answer.status ?? answer.error?.code ?? 'answered',
        durationMs: Math.round(outcome.timings.totalMs),
      },
      resends: 0,
    }, text !== null);
    printDelivery(context, settings.json, { req, res, receivedAt, answer, seen });
    if (settings.printJson && !settings.json && text !== null) out(text);
  }

  /** The relay's path: the app's answer is the sender's. */
  async function relay(req: IncomingMessage, res: ServerResponse, receivedAt: Date, target: URL): Promise<void> {
    let text: string;
    try {
      const body = await readNodeBody(req, FORWARD_LIMIT, BODY_TIMEOUT_MS);
      text = 'text' in body ? body.text : JSON.stringify(body.parsed);
    } catch (error) {
      if (!isWebhookError(error)) throw error;
      writeReply(res, { status: error.status, headers: {}, body: { error: { code: error.code, message: error.message } } });
      err(`${errColor.red('error:')} a delivery could not be read: ${error.code}`);
      return;
    }
    const { id, type, issues } = inspect(text, req);
    if (!wanted(settings, type)) {
      writeReply(res, { status: 200, headers: {}, body: { received: true, id: id ?? '', status: 'ignored' } });
      return;
    }
    const forwarded = await forwardDelivery(target, text, req.headers, context.clock, req.method);
    if (forwarded.reply === undefined) {
      const message = `${forwarded.answer.outcome}: ${forwarded.answer.detail ?? ''}; the delivery is kept`;
      // 502, as a gateway whose upstream failed: the provider records a failed delivery, which it is.
      const json = JSON.stringify({ error: { code: 'forward_failed', message } });
      res.writeHead(502, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json) }).end(json);
    } else {
      const { status, contentType, text: answer } = forwarded.reply;
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(answer) }).end(answer);
    }
    const entry = keep({
      receivedAt: receivedAt.toISOString(),
      method: req.method ?? 'POST',
      path: shownPath(req.url),
      headers: shownHeaders(req.headers),
      body: text,
      id,
      type,
      issues,
      answer: forwarded.answer,
      resends: 0,
    }, true);
    sentHeaders.set(entry, req.headers);
    printRelay(context, settings, entry, 'relayed');
  }

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
  baseUrl = `http://${hostInUrl}:${port}`;
  const url = `${baseUrl}${settings.path ?? '/'}`;
  // The inspector is served to this machine only; on a wildcard address, its loopback name.
  const uiHost = isLoopback(settings.host) ? hostInUrl : '127.0.0.1';
  const uiUrl = `http://${uiHost}:${port}${INSPECTOR_PATH}`;
  if (settings.json) {
    const extra = { ...(settings.forwardTo === undefined ? {} : { forwardTo: settings.forwardTo.href }), ...(settings.ui ? { inspector: uiUrl } : {}) };
    out(JSON.stringify({ listening: url, ...extra }));
  } else {
    out(`Listening on ${context.color.bold(url)} ${context.color.dim('(Ctrl-C to stop)')}`);
    if (settings.forwardTo !== undefined) out(`Relaying to ${context.color.bold(settings.forwardTo.href)}`);
    if (settings.ui) out(`Inspector on ${context.color.bold(uiUrl)}`);
    if (!isLoopback(settings.host)) {
      err(`${errColor.yellow('note:')} ${settings.host} is reachable from other machines`);
    }
  }

  await untilAborted(context.io.signal);
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  await webhooks.drain();
  await saving;
  if (!settings.json) out(`Stopped after ${deliveries} deliver${deliveries === 1 ? 'y' : 'ies'}.`);
  return EXIT_OK;
}

/** Whether `--events` lets a delivery of this type through; one without a type (not JSON, say) always is. */
function wanted(settings: ListenSettings, type: string | null): boolean {
  return settings.events === undefined || type === null || settings.events.has(type);
}

/** A relayed body's id, type and problems, as the schemas see them: what the inspector highlights. */
function inspect(text: string, req: IncomingMessage): { id: string | null; type: string | null; issues: ValidationIssue[] } {
  const claimed = deliveryIdHeader(req.headers) ?? null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { id: claimed, type: null, issues: [{ path: '', message: `not JSON (${(error as Error).message})` }] };
  }
  const fields = typeof value === 'object' && value !== null ? (value as { id?: unknown; type?: unknown }) : {};
  const id = claimed ?? (typeof fields.id === 'string' ? fields.id : null);
  const type = typeof fields.type === 'string' ? fields.type : null;
  try {
    parseEvent(value);
    return { id, type, issues: [] };
  } catch (error) {
    if (!isWebhookError(error)) throw error;
    return { id, type, issues: [...(error.issues ?? [{ path: '', message: error.message }])] };
  }
}

function typeOf(text: string | null): string | null {
  if (text === null) return null;
  try {
    const type = (JSON.parse(text) as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : null;
  } catch {
    return null;
  }
}

/** A body on one line, for a .jsonl file: as it came when it is one line, else its JSON on one line. */
function oneLine(body: string): string {
  if (!/[\r\n]/.test(body)) return body;
  try {
    return JSON.stringify(JSON.parse(body));
  } catch {
    return JSON.stringify(body);
  }
}

/**
 * Both sides of a relayed (or resent) delivery, printed together once the app answered, so that
 * concurrent deliveries never interleave their lines:
 * `--> call.ended evt_1` then `<-- 200 processed 12 ms`, or `<-- app down: …` when it was not taken.
 */
function printRelay(context: CommandContext, settings: ListenSettings, entry: ListenEntry, how: 'relayed' | 'resent'): void {
  const { color } = context;
  const { answer } = entry;
  if (settings.json) {
    context.out(JSON.stringify({ seq: entry.seq, how, receivedAt: entry.receivedAt, id: entry.id, type: entry.type, issues: entry.issues, answer }));
    return;
  }
  const time = color.dim(new Date(entry.receivedAt).toTimeString().slice(0, 8));
  const label = `${entry.type ?? '(no type)'} ${entry.id ?? '(no id)'}`;
  context.out(`${time}  --> ${how === 'resent' ? `${label} ${color.dim(`(resent from the inspector, #${entry.seq})`)}` : label}`);
  for (const issue of entry.issues) context.out(`            ${color.bold(issue.path || '(the event)')}: ${issue.message}`);
  const pad = ' '.repeat(8);
  if (answer.status === null) {
    const kept = settings.ui ? 'kept: resend it from the inspector' : settings.save === undefined ? 'kept in this session' : 'kept in --save';
    context.out(`${pad}  <-- ${color.red(answer.outcome)}: ${answer.detail ?? ''} ${color.dim(`(${kept})`)}`);
  } else {
    const ok = answer.status >= 200 && answer.status < 300;
    context.out(`${pad}  <-- ${(ok ? color.green : color.red)(`${answer.status} ${answer.outcome}`)} ${answer.durationMs} ms`);
  }
  if (settings.printJson && how === 'relayed' && entry.body !== null) context.out(entry.body);
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
        id: event?.id ?? answer.id ?? deliveryIdHeader(req.headers) ?? null,
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
  const claimedId = answer.id ?? deliveryIdHeader(req.headers);
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
