/**
 * The embedded SQLite event store: one database file per team (schema.ts), queries compiled
 * from the AST to SQL (compile-sql.ts, sql-sets.ts) with Elasticsearch's meaning.
 */
export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
export { compileWhere, type CompiledWhere, type CompileOptions } from './compile-sql.ts';
export type { Synchronous } from './schema.ts';
