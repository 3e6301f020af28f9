#!/usr/bin/env bash
# Type-checks a small consumer against the packed package with the oldest TypeScript the README
# promises, with skipLibCheck off: our declarations and those of our dependencies must compile there.
# zod 4's use NoInfer, which TypeScript 5.4 brought: 5.3 fails inside zod.
set -euo pipefail
min_typescript=5.4
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

cd "$root"
if ! grep -q "TypeScript $min_typescript or later" README.md; then
  echo "README.md does not say \"TypeScript $min_typescript or later\": keep it and this check in step" >&2
  exit 1
fi
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -n 1)
node_types=$(node -p "require('./node_modules/@types/node/package.json').version")

cd "$scratch"
npm init -y >/dev/null
npm install --silent --no-audit --no-fund "./$tarball" "@types/node@$node_types"
cat > consumer.ts <<'TS'
import { convercWebhooks, createFetchHandler, createNodeHandler, isWebhookError, type EventOf, type WebhookError } from 'converc-webhooks';
import { RedisDedupeStore } from 'converc-webhooks/redis';
import { createTestEvent } from 'converc-webhooks/testing';

const dedupe = new RedisDedupeStore({ client: { sendCommand: async (args: string[]) => args.length } });
const webhooks = convercWebhooks({ dedupe })
  .on('call.ended', (event: EventOf<'call.ended'>) => {
    const endedAt: string = event.data.call.endedAt;
    return endedAt;
  })
  .onError((error: WebhookError) => {
    if (isWebhookError(error)) console.error(error.code);
  });
export const nodeHandler = createNodeHandler(webhooks, { path: '/webhooks/converc' });
export const fetchHandler = createFetchHandler(webhooks);
export const event = createTestEvent('call.transcript_ready');
TS
echo "::: TypeScript $(npx -y -p "typescript@$min_typescript" -- tsc --version)"
for resolution in node16 bundler; do
  module=$([ "$resolution" = bundler ] && echo esnext || echo node16)
  npx -y -p "typescript@$min_typescript" -- tsc --noEmit --strict --skipLibCheck false --target es2022 \
    --module "$module" --moduleResolution "$resolution" --types node consumer.ts
  echo "types with TypeScript $min_typescript ($resolution): ok"
done
