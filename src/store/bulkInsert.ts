import { CompiledQuery } from 'kysely';
import type { Database } from './schema.js';
import type { DbOrTx, StoreDialect } from './store.js';

const ROWS_PER_STATEMENT = 200;

/**
 * Multi-row INSERT for hot paths. Kysely's builder spends more time turning
 * hundreds of value objects into SQL than SQLite spends storing them; this
 * writes the same statement directly (identifiers from our own schema types,
 * values always as bound parameters) and still runs it through Kysely.
 */
export async function bulkInsert<T extends keyof Database & string, C extends keyof Database[T] & string, R extends C | 'id'>(
  db: DbOrTx,
  dialect: StoreDialect,
  table: T,
  columns: readonly C[],
  rows: ReadonlyArray<ReadonlyArray<unknown>>,
  returning: readonly R[] = [],
  /**
   * Each column's PostgreSQL type: then all rows go in one statement of one
   * array per column (`select * from unnest(...)`), one round trip and the
   * same statement text for any number of rows, instead of one per 200.
   */
  postgresTypes?: readonly string[],
): Promise<Array<Record<R, unknown>>> {
  const out: Array<Record<R, unknown>> = [];
  if (rows.length === 0) return out;
  const head = `insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) `;
  const tail = returning.length ? ` returning ${returning.map((c) => `"${c}"`).join(', ')}` : '';
  if (dialect === 'postgres' && postgresTypes) {
    if (postgresTypes.length !== columns.length) throw new Error(`bulkInsert ${table}: ${postgresTypes.length} types for ${columns.length} columns`);
    const arrays = columns.map((_, c) => rows.map((row) => row[c]));
    const unnest = postgresTypes.map((type, c) => `$${c + 1}::${type}[]`).join(', ');
    const result = await db.executeQuery<Record<R, unknown>>(CompiledQuery.raw(`${head}select * from unnest(${unnest})${tail}`, arrays));
    return result.rows;
  }
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const params: unknown[] = [];
    const tuples: string[] = [];
    for (const row of chunk) {
      if (row.length !== columns.length) throw new Error(`bulkInsert ${table}: a row has ${row.length} values for ${columns.length} columns`);
      const marks: string[] = [];
      for (const value of row) {
        params.push(value);
        marks.push(dialect === 'postgres' ? `$${params.length}` : '?');
      }
      tuples.push(`(${marks.join(', ')})`);
    }
    const result = await db.executeQuery<Record<R, unknown>>(CompiledQuery.raw(`${head}values ${tuples.join(', ')}${tail}`, params));
    out.push(...result.rows);
  }
  return out;
}
