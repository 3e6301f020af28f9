#!/usr/bin/env bash
# Installs the packed tarball into a scratch project and checks that it works as users import it:
# require() from CommonJS, import from ESM, and both type-checked by TypeScript (node16 and bundler).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cd "$root"
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
typescript=$(node -p "require('./node_modules/typescript/package.json').version")
node_types=$(node -p "require('./node_modules/@types/node/package.json').version")

cd "$scratch"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "./$tarball" express@5 "typescript@$typescript" "@types/node@$node_types" @types/express@5

cat > cjs.cjs <<'JS'
const assert = require('node:assert');
const { convercWebhooks, EVENT_TYPES, WebhookError, parseEvent } = require('converc-webhooks');
assert.strictEqual(typeof convercWebhooks, 'function');
assert.strictEqual(EVENT_TYPES.length, 8);
assert.ok(new WebhookError('invalid_json', 'x') instanceof Error);
assert.throws(() => parseEvent({}), (error) => error.code === 'invalid_event');
assert.strictEqual(typeof require('converc-webhooks/redis').RedisDedupeStore, 'function');
// pg is an optional peer, not installed here: the subpath must load without it.
assert.strictEqual(typeof require('converc-webhooks/postgres').createPostgresInbox, 'function');
const { createTestEvent } = require('converc-webhooks/testing');
assert.doesNotThrow(() => parseEvent(createTestEvent('call.recording_ready')));
console.log('require: ok');
JS
cat > esm.mjs <<'JS'
import assert from 'node:assert';
import { convercWebhooks, WebhookError, isWebhookError } from 'converc-webhooks';
import * as cjs from 'converc-webhooks';
import { RedisDedupeStore } from 'converc-webhooks/redis';
assert.strictEqual(typeof RedisDedupeStore, 'function');
import { PostgresDedupeStore } from 'converc-webhooks/postgres';
assert.strictEqual(typeof PostgresDedupeStore, 'function');
import { createTestEvent } from 'converc-webhooks/testing';
assert.strictEqual(createTestEvent('call.ended').type, 'call.ended');
assert.strictEqual(typeof convercWebhooks, 'function');
// One CommonJS build: the class ESM sees is the class require() sees, so instanceof holds.
assert.strictEqual(WebhookError, cjs.WebhookError);
assert.ok(isWebhookError(new WebhookError('invalid_json', 'x')));
console.log('import: ok');
JS
cat > app.ts <<'TS'
import express from 'express';
import { convercWebhooks, type EventOf } from 'converc-webhooks';
import { RedisDedupeStore } from 'converc-webhooks/redis';
import { createPostgresInbox } from 'converc-webhooks/postgres';
import { createTestEvent } from 'converc-webhooks/testing';
const event: EventOf<'call.ended'> = createTestEvent('call.ended');
void event;
const store = new RedisDedupeStore({ client: { sendCommand: async (args: string[]) => args.length } });
const webhooks = convercWebhooks({ dedupe: store }).on('call.ended', (event: EventOf<'call.ended'>) => {
  const endedAt: string = event.data.call.endedAt;
  return endedAt;
});
express().use('/webhooks/converc', webhooks);
// The postgres subpath's types stand without @types/pg (not installed here).
const inbox = createPostgresInbox({ pool: { query: async () => ({ rows: [], rowCount: 0 }), connect: async () => { throw new Error('no pool'); } } });
convercWebhooks({ handoff: inbox }).on('call.ended', inbox.handler(async (event, { db }) => db.query('SELECT $1', [event.data.call.id])));
TS
cp app.ts app.mts
node cjs.cjs
node esm.mjs
# The bin, as npx runs it: validate a generated event read from standard input.
node -e "console.log(JSON.stringify(require('converc-webhooks/testing').createTestEvent('call.ended')))" \
  | npx --no-install converc-webhooks validate - >/dev/null
npx --no-install converc-webhooks --version
echo "bin: ok"
for resolution in node16 bundler; do
  module=$([ "$resolution" = bundler ] && echo esnext || echo node16)
  npx tsc --noEmit --strict --target es2022 --esModuleInterop --skipLibCheck false --module "$module" --moduleResolution "$resolution" \
    --types node app.ts app.mts
  echo "types ($resolution): ok"
done
