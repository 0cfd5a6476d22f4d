/**
 * `auditlog backup DIR` and `auditlog restore DIR [--force]`: the embedded store's data
 * directory, online (src/backup/sqlite-backup.ts). Elasticsearch is backed up with the
 * cluster's own snapshots (docs/operations.md), which these commands say instead of guessing.
 */
import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { backupDataDir, restoreDataDir } from '../backup/sqlite-backup.ts';
import type { ManifestFile } from '../backup/manifest.ts';
import { ValidationError } from '../errors.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

const ELASTICSEARCH = (verb: string) =>
  new ValidationError(
    `${verb} works on the embedded SQLite store only; this configuration uses Elasticsearch (AUDITLOG_STORE=elasticsearch), ` +
      'whose indices (auditlog-* events, auditlog_control-* state) are backed up with snapshot repositories: see docs/operations.md, "Backups on Elasticsearch"',
  );

const line = (verb: string) => (f: ManifestFile) =>
  console.error(`${verb} ${f.path} (${f.bytes} bytes${f.events !== undefined ? `, ${f.events} events` : ''})`);

export async function backupCommand(config: Config, target: string): Promise<void> {
  if (config.AUDITLOG_STORE === 'elasticsearch') throw ELASTICSEARCH('auditlog backup');
  const manifest = await backupDataDir(config.AUDITLOG_DATA_DIR, target, { auditlogVersion: VERSION, onFile: line('copied') });
  const events = manifest.files.reduce((n, f) => n + (f.events ?? 0), 0);
  console.error(`backup of ${config.AUDITLOG_DATA_DIR} in ${target}: ${manifest.files.length} databases, ${events} events, started ${manifest.startedAt}`);
}

export function restoreCommand(config: Config, source: string, force: boolean): void {
  if (config.AUDITLOG_STORE === 'elasticsearch') throw ELASTICSEARCH('auditlog restore');
  const manifest = restoreDataDir(source, config.AUDITLOG_DATA_DIR, { force, onFile: line('restored') });
  console.error(`restored ${manifest.files.length} databases of the backup started ${manifest.startedAt} into ${config.AUDITLOG_DATA_DIR}`);
}
