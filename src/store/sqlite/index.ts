export { SqliteStore, type SqliteStoreOptions } from './sqlite-store.ts';
export { compileWhere, type CompiledWhere, type CompileOptions } from './compile-sql.ts';
