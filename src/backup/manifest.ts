/**
 * The manifest of a backup of the embedded store (`manifest.json` beside the copied files):
 * what was copied, from which versions, with a checksum and the event count of each file, so a
 * restore can prove the copy is whole before it replaces anything.
 */
import { z } from 'zod';
import { STATE_DATABASES, STATE_DIR, TEAMS_DIR } from '../data-dir.ts';
import { TeamId } from '../events/event.ts';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 1;

/**
 * A path inside the data directory, as the layout names its databases (src/data-dir.ts): no
 * other path can ever be written by a restore, whatever a manifest says.
 */
export const DatabasePath = z.string().refine(
  (path) => {
    const [dir, file, ...rest] = path.split('/');
    if (rest.length > 0 || !file?.endsWith('.db')) return false;
    const base = file.slice(0, -3);
    if (dir === STATE_DIR) return (STATE_DATABASES as readonly string[]).includes(base);
    return dir === TEAMS_DIR && TeamId.safeParse(base).success;
  },
  { message: 'is not a database path of the data directory (state/<name>.db or teams/<team>.db)' },
);

export const ManifestFile = z.object({
  path: DatabasePath,
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** The file's schema version (PRAGMA user_version). */
  schemaVersion: z.number().int(),
  /** Events in a team's file; absent for auditlog's own state. */
  events: z.number().int().nonnegative().optional(),
});
export type ManifestFile = z.infer<typeof ManifestFile>;

export const Manifest = z.object({
  format: z.literal(MANIFEST_FORMAT),
  auditlogVersion: z.string(),
  sqliteVersion: z.string(),
  /** When the backup started (ISO 8601): every event acknowledged before it is in the copy. */
  startedAt: z.string(),
  finishedAt: z.string(),
  files: z.array(ManifestFile),
});
export type Manifest = z.infer<typeof Manifest>;
