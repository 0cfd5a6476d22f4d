/**
 * Online backup and restore of the embedded store's data directory (src/data-dir.ts).
 *
 * Copying the files of a live database is unsafe (the write-ahead log holds committed pages the
 * main file does not have yet), so each database is copied with SQLite's online backup API in
 * ONE step: one read transaction, hence a consistent snapshot of that file, taken while the
 * server goes on writing (WAL readers do not block writers). A backup of a busy file in small
 * steps would restart whenever another process writes, and might never finish.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConflictError, ValidationError } from '../errors.ts';
import { STATE_DATABASES, STATE_DIR, syncPath, TEAMS_DIR } from '../data-dir.ts';
import { TeamId } from '../events/event.ts';
import { Manifest, MANIFEST_FILE, MANIFEST_FORMAT, type ManifestFile } from './manifest.ts';

/** Pages per backup step: all of them, so a file is copied inside one read transaction. */
const ALL_PAGES = 0x7fffffff;

export interface BackupOptions {
  auditlogVersion: string;
  /** Called after each file is copied and checked. */
  onFile?: (file: ManifestFile) => void;
}

/** The databases of a data directory, as paths relative to it. */
export function listDatabases(dataDir: string): string[] {
  const found: string[] = [];
  for (const name of STATE_DATABASES) if (existsSync(join(dataDir, STATE_DIR, `${name}.db`))) found.push(`${STATE_DIR}/${name}.db`);
  const teams = join(dataDir, TEAMS_DIR);
  if (existsSync(teams)) {
    for (const file of readdirSync(teams).sort()) {
      if (file.endsWith('.db') && TeamId.safeParse(file.slice(0, -3)).success) found.push(`${TEAMS_DIR}/${file}`);
    }
  }
  return found;
}

/**
 * Copies every database of `dataDir` into `target` (created; it must be absent or empty) and
 * writes the manifest last, so a directory with a manifest holds a complete backup.
 */
export async function backupDataDir(dataDir: string, target: string, options: BackupOptions): Promise<Manifest> {
  const databases = listDatabases(dataDir);
  if (!existsSync(join(dataDir, STATE_DIR, 'control.db'))) {
    throw new ValidationError(
      `${dataDir} holds no auditlog data (no ${STATE_DIR}/control.db); is AUDITLOG_DATA_DIR right? (A directory in the old flat layout is moved into place by starting the server once.)`,
      { field: 'AUDITLOG_DATA_DIR' },
    );
  }
  if (existsSync(target) && readdirSync(target).length > 0) throw new ConflictError(`backup directory ${target} is not empty; choose a new one`);
  const startedAt = new Date().toISOString();
  const files: ManifestFile[] = [];
  for (const path of databases) {
    const copy = join(target, path);
    mkdirSync(dirname(copy), { recursive: true });
    const source = new Database(join(dataDir, path), { readonly: true, fileMustExist: true });
    try {
      await source.backup(copy, { progress: () => ALL_PAGES });
    } finally {
      source.close();
    }
    const file = checkCopy(copy, path);
    files.push(file);
    options.onFile?.(file);
  }
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    auditlogVersion: options.auditlogVersion,
    sqliteVersion: sqliteVersion(),
    startedAt,
    finishedAt: new Date().toISOString(),
    files,
  };
  for (const dir of new Set(files.map((f) => dirname(join(target, f.path))))) syncPath(dir);
  writeDurably(join(target, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

/** Checks a copied database (integrity_check), then records its size, checksum, schema version and events. */
function checkCopy(file: string, path: string): ManifestFile {
  const db = new Database(file, { fileMustExist: true });
  let schemaVersion: number;
  let events: number | undefined;
  try {
    const problems = db.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>;
    if (problems.length !== 1 || problems[0]!.integrity_check !== 'ok') {
      throw new Error(`the copy of ${path} fails integrity_check: ${problems.map((p) => p.integrity_check).join('; ')}`);
    }
    schemaVersion = db.pragma('user_version', { simple: true }) as number;
    if (path.startsWith(`${TEAMS_DIR}/`)) events = (db.prepare('SELECT count(*) FROM events').pluck().get() as number) ?? 0;
  } finally {
    db.close();
  }
  syncPath(file);
  return { path, bytes: statSync(file).size, sha256: sha256(file), schemaVersion, ...(events !== undefined ? { events } : {}) };
}

export interface RestoreOptions {
  /** Replace the databases of a non-empty data directory (never one a running server holds). */
  force?: boolean;
  onFile?: (file: ManifestFile) => void;
}

/**
 * Restores a backup into `dataDir` after verifying every file against the manifest. Refuses a
 * data directory a running server holds (even with `force`), and a non-empty one without `force`.
 */
export function restoreDataDir(source: string, dataDir: string, options: RestoreOptions = {}): Manifest {
  const manifest = readManifest(source);
  for (const file of manifest.files) verifyFile(source, file);

  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    const holder = heldDatabase(dataDir);
    if (holder) throw new ConflictError(`${holder} is open in a running auditlog server; stop it before restoring into ${dataDir}`);
    if (!options.force) throw new ConflictError(`data directory ${dataDir} is not empty; restore into a new directory, or pass --force to replace its databases`);
  }

  // Copied beside the target first, then moved into place: a restore cut short leaves the old
  // databases or the new ones, never half of a file.
  const staging = join(dataDir, `.restore-${process.pid}-${Date.now()}`);
  mkdirSync(staging, { recursive: true });
  try {
    for (const file of manifest.files) {
      const to = join(staging, file.path);
      mkdirSync(dirname(to), { recursive: true });
      copyFileSync(join(source, file.path), to);
      syncPath(to);
    }
    for (const path of listDatabases(dataDir)) {
      // The old databases go with their logs: a stale -wal beside a new file would be replayed into it.
      for (const suffix of ['-wal', '-shm', '-journal', '']) rmSync(join(dataDir, path + suffix), { force: true });
    }
    for (const file of manifest.files) {
      const to = join(dataDir, file.path);
      mkdirSync(dirname(to), { recursive: true });
      renameSync(join(staging, file.path), to);
      options.onFile?.(file);
    }
    for (const dir of [join(dataDir, STATE_DIR), join(dataDir, TEAMS_DIR), dataDir]) if (existsSync(dir)) syncPath(dir);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return manifest;
}

export function readManifest(source: string): Manifest {
  const path = join(source, MANIFEST_FILE);
  if (!existsSync(path)) throw new ValidationError(`${source} has no ${MANIFEST_FILE}: not an auditlog backup, or an unfinished one`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ValidationError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = Manifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ValidationError(`${path}: ${issue.path.join('.') || '(root)'} ${issue.message}`);
  }
  if (!parsed.data.files.some((f) => f.path === `${STATE_DIR}/control.db`)) throw new ValidationError(`${path} lists no ${STATE_DIR}/control.db`);
  return parsed.data;
}

function verifyFile(source: string, file: ManifestFile): void {
  const path = join(source, file.path);
  if (!existsSync(path)) throw new ValidationError(`the backup is missing ${file.path}, which its manifest lists`);
  const bytes = statSync(path).size;
  if (bytes !== file.bytes || sha256(path) !== file.sha256) {
    throw new ValidationError(`${file.path} in the backup does not match its manifest (size or SHA-256 differs): the backup is damaged`);
  }
}

/**
 * A database of the directory that another process has open, or null. Every connection of a
 * WAL database holds a shared lock on it for as long as it is open; an exclusive lock is
 * granted only when no connection is left.
 */
export function heldDatabase(dataDir: string): string | null {
  for (const path of listDatabases(dataDir).filter((p) => p.startsWith(`${STATE_DIR}/`))) {
    const db = new Database(join(dataDir, path), { fileMustExist: true, timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_BUSY') return join(dataDir, path);
      throw err;
    } finally {
      db.close();
    }
  }
  return null;
}

function sqliteVersion(): string {
  const db = new Database(':memory:');
  try {
    return db.prepare('SELECT sqlite_version()').pluck().get() as string;
  } finally {
    db.close();
  }
}

/** In chunks: a team's file can be larger than memory. */
function sha256(file: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    for (let n; (n = readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

function writeDurably(file: string, text: string): void {
  writeFileSync(file, text);
  syncPath(file);
  syncPath(dirname(file));
}
