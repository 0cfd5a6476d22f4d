/**
 * The original field paths of one team's database. The `paths` table (schema.ts) holds every
 * path ever stored, with a leading dot (compile-sql.ts originalKey), so listing them is a read
 * of a small table, not of the events. Every original leaf is a keyword (see docs).
 */
import type Database from 'better-sqlite3';
import type { OriginalField } from '../interface.ts';

export function listOriginalFields(db: Database.Database): OriginalField[] {
  const keys = db.prepare('SELECT path FROM paths ORDER BY path').pluck().all() as string[];
  return keys.map((key) => ({ path: key.slice(1), type: 'keyword' }));
}
