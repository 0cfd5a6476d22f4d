/**
 * The server as an operator runs it: `node src/cli/main.ts serve`, a child process that a
 * test can kill -9 and start again on the same data.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'vitest';

const CLI = join(import.meta.dirname, '../../src/cli/main.ts');

export interface ServerProcess {
  url: string;
  /** SIGKILL: no shutdown hook runs, nothing is flushed. Resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Starts the server again with the same environment. */
  restart(): Promise<void>;
  /** The server's stderr so far (its start-up lines and any error). */
  output(): string;
}

export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  let child: ChildProcess;
  let output = '';
  const launch = () =>
    new Promise<string>((resolve, reject) => {
      let own = '';
      child = spawn(process.execPath, [CLI, 'serve', '--port', '0'], {
        env: { ...process.env, AUDITLOG_HOST: '127.0.0.1', AUDITLOG_LOG_LEVEL: 'error', AUDITLOG_ALERTS: 'off', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s:\n${output}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => {
        output += d.toString();
        own += d.toString();
        const m = /auditlog listening on (http:\/\/\S+)/.exec(own);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`the server exited (${code ?? signal}) during start-up:\n${output}`));
      });
    });
  // A test worker that dies (a timeout, an interrupted run) takes its server with it.
  const reap = () => child?.kill('SIGKILL');
  process.once('exit', reap);
  const server: ServerProcess = {
    url: await launch(),
    async kill9() {
      const c = child;
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
      c.kill('SIGKILL');
      await gone;
    },
    async restart() {
      output += '\n--- restart ---\n';
      server.url = await launch();
    },
    output: () => output,
  };
  return server;
}

/** POSTs `json` with `key` and expects `status` (the server's answer in the message otherwise); returns the answer's body. */
export async function postJson(server: ServerProcess, path: string, key: string, json: unknown, status = 201): Promise<unknown> {
  const res = await fetch(server.url + path, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(status);
  return res.json();
}
