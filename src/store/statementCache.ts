import type BetterSqlite3 from 'better-sqlite3';

/**
 * better-sqlite3 compiles SQL on every prepare(), and Kysely prepares each
 * query it runs. Intake sends the same few statements thousands of times a
 * second, so keep the compiled statements by SQL text.
 */
export function withStatementCache(db: BetterSqlite3.Database, capacity = 200): BetterSqlite3.Database {
  const cache = new Map<string, BetterSqlite3.Statement>();
  const prepare = db.prepare.bind(db);
  return new Proxy(db, {
    get(target, prop, receiver) {
      if (prop !== 'prepare') return Reflect.get(target, prop, receiver);
      return (sql: string) => {
        let stmt = cache.get(sql);
        if (stmt) {
          // refresh recency
          cache.delete(sql);
          cache.set(sql, stmt);
          return stmt;
        }
        stmt = prepare(sql);
        cache.set(sql, stmt);
        if (cache.size > capacity) cache.delete(cache.keys().next().value as string);
        return stmt;
      };
    },
  });
}
