#!/usr/bin/env node
/**
 * The `auditlog` command. Local mode works on the configured store directly (the same
 * environment variables as the server), for a stopped server; remote mode (--url and --key)
 * goes through a running server's API, so the key is checked and the change is recorded
 * under it in the audit trail.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { EventFormat, type TeamId } from '../events/event.ts';
import { openGeoDatabasesFromConfig } from '../geo/config.ts';
import { Role } from '../teams/model.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { startServer } from '../server.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { loadDemo } from './demo.ts';
import { describeFailure } from './failure.ts';
import { importFile, localTarget, remoteTarget as remoteImportTarget } from './import.ts';
import { ApiClient, remoteTarget } from './remote.ts';
import { printRemoteSearch, printSearch } from './search.ts';

const USAGE = `usage: auditlog <command> [options]

Two modes. Local (L): the command opens the data directory or Elasticsearch itself, configured by
the server's environment (AUDITLOG_DATA_DIR, AUDITLOG_STORE, ES_URL…); for a stopped server.
Remote (R): with --url and --key (or AUDITLOG_URL and AUDITLOG_KEY) it goes through a running
server's API, the key decides what it may do, and changes are recorded in the audit trail.

  serve [--demo] [--port N]                    L  start the HTTP server (--demo: load the demo team first)
  demo [--team demo]                           L  load the demo team and print a read key and queries to try
  teams create <id> [SETTINGS]                 L R (operator key)
  teams list                                   L R (operator key)
  teams update <id> [SETTINGS]                 L R (operator key)
      SETTINGS: --name N --retention-days N --min-retention-days N --max-retention-days N
                --quota-bytes N|none --legal-hold | --no-legal-hold
  keys create --team T --role ingest|read|admin [--name N]
                                               L R (operator key); R without --team: the team's admin key
  keys list [--team T]                         L R (operator key with --team, else a team's admin key)
  keys revoke <key id> [--team T]              L R (operator key with --team, else a team's admin key)
  rules install [--team T]                     L R (admin key): the built-in alert rules and saved searches
  rules list [--team T]                        L R (admin key)
  import <file> [--team T] [--format F] [--batch-size N] [--resume-from N]
                                               L R (ingest key): NDJSON, a JSON array or a CloudTrail
                                               export ({"Records": [...]}), streamed, with progress
  search "<query>" [--team T] [--from F] [--to T] [--size N] [--output table|json|ndjson]
                                               L R (read key)
  backup <dir>                                 L  copy the SQLite data directory online into <dir>, with a manifest
  restore <dir> [--force]                      L  restore a backup into AUDITLOG_DATA_DIR (the server must be stopped)

In remote mode the team is the key's; --team is needed only with the operator key.`;

const OPTIONS = {
  url: { type: 'string' },
  key: { type: 'string' },
  demo: { type: 'boolean' },
  port: { type: 'string' },
  team: { type: 'string' },
  name: { type: 'string' },
  'retention-days': { type: 'string' },
  'quota-bytes': { type: 'string' },
  'min-retention-days': { type: 'string' },
  'max-retention-days': { type: 'string' },
  'legal-hold': { type: 'boolean' },
  role: { type: 'string' },
  format: { type: 'string' },
  'batch-size': { type: 'string' },
  'resume-from': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  size: { type: 'string' },
  output: { type: 'string' },
  force: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} satisfies ParseArgsConfig['options'];

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function intOption(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got ${JSON.stringify(value)}`);
  return n;
}

async function withRuntime<T>(fn: (rt: Runtime) => Promise<T>): Promise<T> {
  const rt = await createRuntime(loadConfig());
  try {
    return await fn(rt);
  } finally {
    await rt.close();
  }
}

async function serve(opts: Options) {
  const config = loadConfig();
  const port = intOption(opts.port, 'port');
  const rt = await createRuntime(config);
  const { generated } = await rt.teams.ensureOperatorKey(config.AUDITLOG_OPERATOR_KEY);
  openGeoDatabasesFromConfig(config);
  // Listening comes before the demo load: a port in use fails at once, and the hints below carry the port bound.
  const server = await startServer(rt, port === undefined ? {} : { port });
  // The address as a browser or curl on this machine reaches it (0.0.0.0 is where it listens, not where to go).
  const local = server.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
  if (generated) {
    console.error(
      [
        '',
        'Operator key (shown once; it creates teams — keep it safe):',
        `  ${generated}`,
        `Try it: npm run cli -- teams list --url ${local} --key ${generated}`,
        '',
      ].join('\n'),
    );
  }
  const demo = opts.demo ? await loadDemo(rt, { team: 'demo' as TeamId, print: true, adminKey: true, url: local }) : undefined;
  const where = rt.store.kind === 'sqlite' ? `data: ${config.AUDITLOG_DATA_DIR}` : `cluster: ${config.ES_URL}`;
  const retention = rt.store.retention === 'ilm' ? 'Elasticsearch ILM' : 'scheduled deletion by auditlog';
  console.error(`auditlog listening on ${server.url} (store: ${rt.store.kind}, ${where}, retention: ${retention})`);
  const page = `${local}/`;
  if (demo) {
    console.error(
      [
        '',
        `Open ${page} in a browser and sign in with the demo read key:`,
        `  ${demo.key}`,
        'or, to also manage alert rules and saved searches, with the demo admin key:',
        `  ${demo.adminKey}`,
        '',
      ].join('\n'),
    );
  } else {
    console.error(`Web page: ${page} (sign in with a team's read or admin API key)`);
  }
  const stop = async (signal: string) => {
    console.error(`${signal}: shutting down`);
    await server.close();
    await rt.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function print(value: unknown): void {
  console.log(JSON.stringify(value, null, 2));
}

/** The settings an operator gives on `teams create` and `teams update`; only those given. */
function teamSettings(opts: Options) {
  const quota = opts['quota-bytes'];
  const settings = {
    name: opts.name,
    retentionDays: intOption(opts['retention-days'], 'retention-days'),
    minRetentionDays: intOption(opts['min-retention-days'], 'min-retention-days'),
    maxRetentionDays: intOption(opts['max-retention-days'], 'max-retention-days'),
    dailyQuotaBytes: quota === 'none' ? null : intOption(quota, 'quota-bytes'),
    legalHold: opts['legal-hold'],
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Partial<typeof settings>;
}

function role(opts: Options) {
  const parsed = Role.safeParse(opts.role);
  if (!parsed.success) throw new UsageError(`--role must be one of ${Role.options.join(', ')}`);
  return parsed.data;
}

function keyPath(team: string | undefined, id?: string): string {
  const base = team === undefined ? '/api/v1/keys' : `/api/v1/teams/${encodeURIComponent(team)}/keys`;
  return id === undefined ? base : `${base}/${encodeURIComponent(id)}`;
}

function printKey({ key, secret }: { key: { id: string; role: string; team: string }; secret: string }) {
  console.error(`Key ${key.id} (${key.role}) for team ${key.team}; the secret is shown once:`);
  console.log(secret);
}

async function teamsCommand(sub: string | undefined, rest: string[], opts: Options, api: ApiClient | undefined) {
  const id = () => required(rest[0] ?? opts.team, 'team');
  switch (sub) {
    case 'create': {
      const input = { id: id() as TeamId, ...teamSettings(opts) };
      if (api) return print(await api.call('POST', '/api/v1/teams', { json: input }));
      return withRuntime(async (rt) => print(await rt.teams.createTeam({ ...input, dailyQuotaBytes: input.dailyQuotaBytes ?? null })));
    }
    case 'list':
      if (api) return print((await api.call<{ teams: unknown[] }>('GET', '/api/v1/teams')).teams);
      return withRuntime(async (rt) => print(await rt.teams.listTeams()));
    case 'update': {
      const team = id();
      const patch = teamSettings(opts);
      if (Object.keys(patch).length === 0) throw new UsageError('teams update: give at least one setting to change');
      if (api) return print(await api.call('PATCH', `/api/v1/teams/${encodeURIComponent(team)}`, { json: patch }));
      return withRuntime(async (rt) => print(await rt.teams.updateTeam(team, patch)));
    }
    default:
      throw new UsageError('teams: expected "create", "list" or "update"');
  }
}

async function keysCommand(sub: string | undefined, rest: string[], opts: Options, api: ApiClient | undefined) {
  switch (sub) {
    case 'create': {
      const r = role(opts);
      if (api) return printKey(await api.call('POST', keyPath(opts.team), { json: { role: r, name: opts.name } }));
      return withRuntime(async (rt) => printKey(await rt.teams.createKey(required(opts.team, 'team'), r, opts.name)));
    }
    case 'list':
      if (api) return print((await api.call<{ keys: unknown[] }>('GET', keyPath(opts.team))).keys);
      return withRuntime(async (rt) => {
        const team = await rt.teams.getTeam(required(opts.team, 'team'));
        print(await rt.teams.listKeys(team.id));
      });
    case 'revoke': {
      const id = rest[0];
      if (!id) throw new UsageError('keys revoke: give the id of the key (keys list shows them)');
      if (api) await api.call('DELETE', keyPath(opts.team, id));
      else await withRuntime(async (rt) => rt.teams.revokeKey((await rt.teams.getTeam(required(opts.team, 'team'))).id, id));
      console.error(`Key ${id} revoked`);
      return;
    }
    default:
      throw new UsageError('keys: expected "create", "list" or "revoke"');
  }
}

interface InstallResult {
  rules: { created: Array<{ name: string }>; updated: Array<{ name: string }> };
  savedSearches: { created: Array<{ name: string }>; updated: Array<{ name: string }> };
}

async function rulesCommand(sub: string | undefined, opts: Options, api: ApiClient | undefined) {
  const summary = (r: InstallResult) => ({
    created: r.rules.created.map((x) => x.name),
    updated: r.rules.updated.map((x) => x.name),
    savedSearches: [...r.savedSearches.created, ...r.savedSearches.updated].map((x) => x.name),
  });
  switch (sub) {
    case 'install':
      if (api) return print(summary(await api.call<InstallResult>('POST', '/api/v1/alerts/builtin', { json: {} })));
      return withRuntime(async (rt) => {
        const team = await rt.teams.getTeam(required(opts.team, 'team'));
        print(summary(await rt.alerting.service.installBuiltInRules(team.id)));
      });
    case 'list':
      if (api) return print((await api.call<{ rules: unknown[] }>('GET', '/api/v1/alerts')).rules);
      return withRuntime(async (rt) => {
        const team = await rt.teams.getTeam(required(opts.team, 'team'));
        print(await rt.alerting.service.listRules(team.id));
      });
    default:
      throw new UsageError('rules: expected "install" or "list"');
  }
}

async function main(argv: string[]): Promise<void> {
  const { values: opts, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, allowNegative: true });
  const [command, sub, ...rest] = positionals;
  if (opts.help || !command) {
    console.log(USAGE);
    return;
  }
  const target = remoteTarget(opts);
  const api = target ? new ApiClient(target) : undefined;
  if (api && (command === 'serve' || command === 'demo' || command === 'backup' || command === 'restore')) throw new UsageError(`${command} runs locally; drop --url (and AUDITLOG_URL)`);
  switch (command) {
    case 'serve':
      return serve(opts);
    case 'demo':
      return withRuntime((rt) => loadDemo(rt, { team: (opts.team ?? 'demo') as TeamId, print: true }).then(() => undefined));
    case 'teams':
      return teamsCommand(sub, rest, opts, api);
    case 'keys':
      return keysCommand(sub, rest, opts, api);
    case 'rules':
      return rulesCommand(sub, opts, api);
    case 'import': {
      const file = required(sub, 'file');
      const format = opts.format === undefined || opts.format === 'auto' ? undefined : EventFormat.safeParse(opts.format);
      if (format && !format.success) throw new UsageError(`--format must be one of auto, ${EventFormat.options.join(', ')}`);
      const options = {
        file,
        format: format?.data,
        batchSize: intOption(opts['batch-size'], 'batch-size') ?? 1000,
        resumeFrom: intOption(opts['resume-from'], 'resume-from') ?? 0,
      };
      if (api) return importFile(await remoteImportTarget(api, opts.team as TeamId | undefined), options).then(() => undefined);
      return withRuntime(async (rt) => {
        await importFile(await localTarget(rt, required(opts.team, 'team') as TeamId), options);
      });
    }
    case 'search': {
      const output = opts.output ?? 'table';
      if (output !== 'table' && output !== 'json' && output !== 'ndjson') throw new UsageError('--output must be table, json or ndjson');
      const search = { q: sub ?? '', from: opts.from, to: opts.to, size: intOption(opts.size, 'size') ?? 50, output } as const;
      if (api) return printRemoteSearch(api, search);
      return withRuntime((rt) => printSearch(rt, { ...search, team: required(opts.team, 'team') as TeamId }));
    }
    case 'backup':
      return backupCommand(loadConfig(), required(sub, 'dir'));
    case 'restore':
      return restoreCommand(loadConfig(), required(sub, 'dir'), opts.force === true);
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  if (err instanceof UsageError || (err instanceof Error && 'code' in err && String(err.code).startsWith('ERR_PARSE_ARGS'))) {
    console.error(`auditlog: ${err.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (err instanceof ConfigError || err instanceof AppError) {
    console.error(`auditlog: ${err.message}`);
    process.exit(1);
  }
  const known = describeFailure(err);
  console.error(known ? `auditlog: ${known}` : err);
  process.exit(1);
});
