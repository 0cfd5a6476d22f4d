#!/usr/bin/env node
/**
 * The `auditlog` command. It works on the configured store directly (the same environment
 * variables as the server), so it needs no running server and no key.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { AppError } from '../errors.ts';
import { EventFormat, type TeamId } from '../events/event.ts';
import { Role } from '../teams/model.ts';
import { createRuntime, type Runtime } from '../runtime.ts';
import { startServer } from '../server.ts';
import { backupCommand, restoreCommand } from './backup.ts';
import { loadDemo } from './demo.ts';
import { importFile } from './import.ts';
import { printSearch } from './search.ts';

const USAGE = `usage: auditlog <command> [options]

  serve [--demo] [--port N]             start the HTTP server (with --demo: load the demo team first)
  demo [--team demo]                    load the demo team and print a read key and queries to try
  teams create <id> [--name N] [--retention-days N] [--quota-bytes N]
  teams list
  keys create --team T --role ingest|read|admin [--name N]
  rules install --team T                install or update the built-in alert rules and saved searches
  import <file> --team T [--format F] [--batch-size N] [--resume-from LINE]
                                        import NDJSON or a JSON array file
  search "<query>" --team T [--from F] [--to T] [--size N] [--output table|json|ndjson]
  backup <dir>                          copy the SQLite data directory online into <dir>, with a manifest
  restore <dir> [--force]               restore a backup into AUDITLOG_DATA_DIR (the server must be stopped)

Configuration comes from the environment (see README): AUDITLOG_DATA_DIR, AUDITLOG_STORE, ES_URL…`;

const OPTIONS = {
  demo: { type: 'boolean' },
  port: { type: 'string' },
  team: { type: 'string' },
  name: { type: 'string' },
  'retention-days': { type: 'string' },
  'quota-bytes': { type: 'string' },
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
  const rt = await createRuntime(config);
  const { generated } = await rt.teams.ensureOperatorKey(config.AUDITLOG_OPERATOR_KEY);
  if (generated) {
    console.error(`\nOperator key (shown once; it creates teams — keep it safe):\n  ${generated}\n`);
  }
  const demo = opts.demo ? await loadDemo(rt, { team: 'demo' as TeamId, print: true, adminKey: true }) : undefined;
  const port = intOption(opts.port, 'port');
  const server = await startServer(rt, port === undefined ? {} : { port });
  const where = rt.store.kind === 'sqlite' ? `data: ${config.AUDITLOG_DATA_DIR}` : `cluster: ${config.ES_URL}`;
  const retention = rt.store.retention === 'ilm' ? 'Elasticsearch ILM' : 'scheduled deletion by auditlog';
  console.error(`auditlog listening on ${server.url} (store: ${rt.store.kind}, ${where}, retention: ${retention})`);
  // The page's address as a browser on this machine reaches it (0.0.0.0 is where it listens, not where to go).
  const page = `${server.url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:')}/`;
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

async function main(argv: string[]): Promise<void> {
  const { values: opts, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true });
  const [command, sub, ...rest] = positionals;
  if (opts.help || !command) {
    console.log(USAGE);
    return;
  }
  switch (command) {
    case 'serve':
      return serve(opts);
    case 'demo':
      return withRuntime((rt) => loadDemo(rt, { team: (opts.team ?? 'demo') as TeamId, print: true }).then(() => undefined));
    case 'teams':
      if (sub === 'create') {
        const id = rest[0] ?? opts.team;
        return withRuntime(async (rt) => {
          const team = await rt.teams.createTeam({
            id: required(id, 'team') as TeamId,
            name: opts.name,
            retentionDays: intOption(opts['retention-days'], 'retention-days'),
            dailyQuotaBytes: intOption(opts['quota-bytes'], 'quota-bytes') ?? null,
          });
          console.log(JSON.stringify(team, null, 2));
        });
      }
      if (sub === 'list') return withRuntime(async (rt) => console.log(JSON.stringify(await rt.teams.listTeams(), null, 2)));
      throw new UsageError('teams: expected "create" or "list"');
    case 'keys':
      if (sub === 'create') {
        const role = Role.safeParse(opts.role);
        if (!role.success) throw new UsageError(`--role must be one of ${Role.options.join(', ')}`);
        return withRuntime(async (rt) => {
          const { key, secret } = await rt.teams.createKey(required(opts.team, 'team'), role.data, opts.name);
          console.error(`Key ${key.id} (${key.role}) for team ${key.team}; the secret is shown once:`);
          console.log(secret);
        });
      }
      throw new UsageError('keys: expected "create"');
    case 'rules':
      if (sub !== 'install') throw new UsageError('rules: expected "install"');
      return withRuntime(async (rt) => {
        const team = await rt.teams.getTeam(required(opts.team, 'team'));
        const r = await rt.alerting.service.installBuiltInRules(team.id);
        console.log(
          JSON.stringify(
            {
              created: r.rules.created.map((x) => x.name),
              updated: r.rules.updated.map((x) => x.name),
              savedSearches: [...r.savedSearches.created, ...r.savedSearches.updated].map((x) => x.name),
            },
            null,
            2,
          ),
        );
      });
    case 'import': {
      const file = required(sub, 'file');
      const format = opts.format === undefined || opts.format === 'auto' ? undefined : EventFormat.safeParse(opts.format);
      if (format && !format.success) throw new UsageError(`--format must be one of auto, ${EventFormat.options.join(', ')}`);
      return withRuntime(async (rt) => {
        await importFile(rt, {
          file,
          team: required(opts.team, 'team') as TeamId,
          format: format?.data,
          batchSize: intOption(opts['batch-size'], 'batch-size') ?? 1000,
          resumeFrom: intOption(opts['resume-from'], 'resume-from') ?? 0,
        });
      });
    }
    case 'search': {
      const output = opts.output ?? 'table';
      if (output !== 'table' && output !== 'json' && output !== 'ndjson') throw new UsageError('--output must be table, json or ndjson');
      return withRuntime((rt) =>
        printSearch(rt, {
          team: required(opts.team, 'team') as TeamId,
          q: sub ?? '',
          from: opts.from,
          to: opts.to,
          size: intOption(opts.size, 'size') ?? 50,
          output,
        }),
      );
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
  console.error(err);
  process.exit(1);
});
