/** Runs the real `bin/auditlog` (the bash wrapper that ensures Node 24) as a user would, without blocking the test's own server. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(import.meta.dirname, '../../bin/auditlog');

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runBin(args: string[], env: Record<string, string | undefined> = {}, { timeoutMs = 120_000 } = {}): Promise<BinResult> {
  return new Promise((resolve) => {
    execFile(
      BIN,
      args,
      { env: { ...process.env, AUDITLOG_LOG_LEVEL: 'silent', AUDITLOG_URL: undefined, AUDITLOG_KEY: undefined, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
