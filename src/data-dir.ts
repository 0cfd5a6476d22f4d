/**
 * The embedded store's data directory. Internal state and team events live in separate
 * directories, so no team id can ever name an internal file:
 *
 *   <AUDITLOG_DATA_DIR>/state/control.db   teams, key hashes, quotas, settings
 *   <AUDITLOG_DATA_DIR>/state/alerts.db    alert rules (webhook secrets), saved searches, outbox, history
 *   <AUDITLOG_DATA_DIR>/state/streams.db   event streams (endpoint secrets) and their positions
 *   <AUDITLOG_DATA_DIR>/teams/<team>.db    one file per team (the audit trail is the reserved team `system`)
 *
 * Before this layout every file sat at the top level, so a team called `control` or `alerts`
 * had the server's own state files as its event files. `migrateDataDir` moves an old
 * directory into this layout at start-up.
 */
import { fsyncSync, mkdirSync, openSync, closeSync, readdirSync, renameSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { TeamId } from './events/event.ts';

export const STATE_DIR = 'state';
export const TEAMS_DIR = 'teams';
/** Database files of auditlog's own state, by name without `.db`. */
export const STATE_DATABASES = ['control', 'alerts'] as const;

export interface DataPaths {
  /** Directory of the per-team event files. */
  teams: string;
  control: string;
  alerts: string;
  streams: string;
}

export function dataPaths(dir: string): DataPaths {
  return {
    teams: join(dir, TEAMS_DIR),
    control: join(dir, STATE_DIR, 'control.db'),
    alerts: join(dir, STATE_DIR, 'alerts.db'),
    // Made after the flat layout was gone: never migrated, so not in STATE_DATABASES.
    streams: join(dir, STATE_DIR, 'streams.db'),
  };
}

/** What a migration did: database files (by name) moved into each directory. */
export interface MigrationReport {
  state: string[];
  teams: string[];
}

/**
 * SQLite finds a database's write-ahead log and shared memory by name beside it, so the three
 * move together; the main file moves last. A database is in the new place once its main file
 * is: a crash part-way leaves the main file (and whatever was not moved yet) in the old place,
 * and the next start moves the rest. Nothing opens either place before this has finished.
 */
const SIDECARS = ['-wal', '-shm', '-journal'];

/**
 * Moves the files of an old flat data directory into the layout above; idempotent (a directory
 * in the new layout is left as it is). Refuses to overwrite: when a database exists in both
 * places, it throws and names it, for a person to decide.
 */
export function migrateDataDir(dir: string): MigrationReport {
  const report: MigrationReport = { state: [], teams: [] };
  if (!existsSync(dir)) return report;
  const bases = new Set<string>();
  for (const name of readdirSync(dir)) {
    const m = /^(.+)\.db(-wal|-shm|-journal)?$/.exec(name);
    if (!m || !statSync(join(dir, name)).isFile()) continue;
    const base = m[1]!;
    if ((STATE_DATABASES as readonly string[]).includes(base) || TeamId.safeParse(base).success) bases.add(base);
  }
  if (bases.size === 0) return report;

  const stateDir = join(dir, STATE_DIR);
  const teamsDir = join(dir, TEAMS_DIR);
  mkdirSync(stateDir, { recursive: true });
  mkdirSync(teamsDir, { recursive: true });
  for (const base of [...bases].sort()) {
    const internal = (STATE_DATABASES as readonly string[]).includes(base);
    const target = internal ? stateDir : teamsDir;
    const main = `${base}.db`;
    if (existsSync(join(dir, main)) && existsSync(join(target, main))) {
      throw new Error(
        `data directory ${dir}: ${main} exists both at the top level (old layout) and in ${target}; move one away and start again`,
      );
    }
    for (const suffix of [...SIDECARS, '']) {
      const file = main + suffix;
      if (existsSync(join(dir, file))) renameSync(join(dir, file), join(target, file));
    }
    (internal ? report.state : report.teams).push(base);
  }
  // The renames are durable only once the directories that hold the entries are.
  for (const d of [stateDir, teamsDir, dir]) syncPath(d);
  return report;
}

/** fsync of a file, or of a directory so that the entries created or renamed in it last. */
export function syncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
