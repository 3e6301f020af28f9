import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dedupeSchemaSql, inboxSchemaSql } from 'converc-webhooks/postgres';

describe('the Postgres schema', () => {
  it('is shown in docs/postgres.md exactly as the package applies it', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'docs', 'postgres.md'), 'utf8');
    expect(doc).toContain(inboxSchemaSql() + dedupeSchemaSql());
  });

  it('quotes a schema-qualified table, and names its indexes after the bare name', () => {
    const sql = inboxSchemaSql('app.inbox');
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS "app"."inbox"');
    expect(sql).toContain('CREATE INDEX IF NOT EXISTS "inbox_due_idx" ON "app"."inbox"');
  });
});
