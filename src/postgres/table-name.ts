import { z } from 'zod';
import { mustBe } from '../options/check-options';

/**
 * A table name this package writes into SQL: `name` or `schema.name`, each part a plain lower-case
 * identifier, short enough that the index names made from it stay within Postgres's 63 bytes. No
 * quoting games: a name from configuration is never a way into the SQL.
 */
const TABLE_NAME = /^(?:[a-z_][a-z0-9_]{0,48}\.)?[a-z_][a-z0-9_]{0,48}$/;

/** The schema of a table name option. */
export function tableName(defaultName: string) {
  const message = mustBe('a table name such as converc_webhooks_inbox or myschema.inbox (lower case, letters, digits, _)');
  return z.string({ error: message }).regex(TABLE_NAME, { error: message }).default(defaultName);
}

/** A table's name as SQL (`"schema"."name"`), and its bare name, to derive index names from. */
export interface SqlTable {
  /** The quoted, possibly qualified, name. */
  readonly sql: string;
  /** The name without its schema, unquoted. */
  readonly bare: string;
}

/** Quotes a checked table name. */
export function sqlTable(name: string): SqlTable {
  const parts = name.split('.');
  return { sql: parts.map((part) => `"${part}"`).join('.'), bare: parts[parts.length - 1] ?? name };
}
