/**
 * The one-line message for a failure a user can fix (a file that is not there, a port in use,
 * a server that does not answer or refuses the key), instead of a stack trace. Anything not
 * recognised here is a bug and keeps its stack.
 */
import { RemoteImportError } from './import.ts';
import { RemoteError } from './remote.ts';

interface SystemError extends Error {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
}

const FILE_ERRORS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
};

export function describeFailure(err: unknown): string | undefined {
  if (err instanceof RemoteError || err instanceof RemoteImportError) return err.message;
  if (!(err instanceof Error)) return undefined;
  const e = err as SystemError;
  if (e.syscall === 'listen' || e.code === 'EADDRINUSE') {
    const where = `${e.address ?? 'the address'}:${e.port ?? '?'}`;
    if (e.code === 'EADDRINUSE') return `cannot listen on ${where}: the port is in use (another auditlog?); choose another with --port or AUDITLOG_PORT`;
    if (e.code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges); choose another with --port or AUDITLOG_PORT`;
    if (e.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: no such address on this machine; check AUDITLOG_HOST`;
  }
  if (e.code !== undefined && e.path !== undefined && FILE_ERRORS[e.code]) return `cannot read ${e.path}: ${FILE_ERRORS[e.code]}`;
  return undefined;
}
