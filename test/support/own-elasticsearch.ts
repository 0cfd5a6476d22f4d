/**
 * An Elasticsearch node of a test's own, for tests that stop it (an outage). Never the shared
 * node of ES_URL: that one serves every other suite. Started with scripts/elasticsearch.sh's
 * functions (the same install, Java and settings as the shared node), on the first free port
 * after it, with a 512 MB heap.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPT = join(import.meta.dirname, '../../scripts/elasticsearch.sh');

export interface OwnNode {
  url: string;
  username: string;
  password: string;
  /** Stops the node (SIGTERM, then SIGKILL after 30 s) and waits until its process is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same data, port and password; resolves once it is healthy. */
  restart(): Promise<void>;
  /** Stops it for good and removes its data. */
  destroy(): Promise<void>;
}

async function bash(script: string, env: Record<string, string | undefined>): Promise<string> {
  const { stdout } = await run('bash', ['-c', `set -euo pipefail; source ${JSON.stringify(SCRIPT)}; ${script}`], {
    env: { ...process.env, ES_HEAP: '512m', ...env },
    timeout: 300_000,
    maxBuffer: 10 * 1024 * 1024,
  });
  return stdout;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 250));
  }
  return true;
}

export async function startOwnElasticsearch(): Promise<OwnNode> {
  // ES_URL unset: elasticsearch_start would otherwise reuse the shared node.
  const out = await bash('elasticsearch_start >&2; echo "$ES_URL $ES_PASSWORD $_ES_RUN_DIR $_ES_STARTED_PID"', {
    ES_URL: '',
    ES_USERNAME: '',
    ES_PASSWORD: '',
  });
  const [url, password, runDir, pidText] = out.trim().split('\n').at(-1)!.split(' ') as [string, string, string, string];
  let pid = Number(pidText);
  const env = { ES_URL: url, ES_USERNAME: 'elastic', ES_PASSWORD: password };
  const node: OwnNode = {
    url,
    username: 'elastic',
    password,
    async stop() {
      if (!alive(pid)) return;
      process.kill(pid, 'SIGTERM');
      if (!(await waitGone(pid, 30_000))) {
        process.kill(pid, 'SIGKILL');
        await waitGone(pid, 10_000);
      }
    },
    async restart() {
      const started = await bash(`elasticsearch_relaunch ${JSON.stringify(runDir)} >&2; echo "$_ES_STARTED_PID"`, env);
      pid = Number(started.trim().split('\n').at(-1));
    },
    async destroy() {
      await node.stop();
      rmSync(runDir, { recursive: true, force: true });
    },
  };
  return node;
}
