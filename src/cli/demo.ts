/**
 * `auditlog demo` / `serve --demo`: a demo team with a week of events in all four formats,
 * and a read key with queries to try.
 */
import type { TeamId } from '../events/event.ts';
import { DEMO_QUERIES, generateDemo } from '../demo/generate.ts';
import type { Runtime } from '../runtime.ts';

export async function loadDemo(
  rt: Runtime,
  {
    team,
    print,
    adminKey = false,
    url,
  }: {
    team: TeamId;
    print: boolean;
    adminKey?: boolean;
    /** The running server's address for the hints; without it (`auditlog demo`) the configured one. */
    url?: string;
  },
): Promise<{ loaded: number; key: string; adminKey?: string }> {
  let loaded = 0;
  const existing = await rt.control.getTeam(team);
  if (!existing) {
    const created = await rt.teams.createTeam({ id: team, name: 'Demo team' });
    for (const batch of generateDemo()) {
      const result = await rt.ingest.ingest({
        team: created,
        body: Buffer.from(JSON.stringify(batch.events)),
        contentType: 'application/json',
        format: batch.format,
      });
      if (result.rejected.length > 0) {
        throw new Error(`demo ${batch.format} events were rejected: ${JSON.stringify(result.rejected.slice(0, 3))}`);
      }
      loaded += result.accepted.length;
    }
    // Without channels the rules record their firings in alert history (GET /api/v1/alerts/{id}/history).
    await rt.alerting.service.installBuiltInRules(team);
  }
  const { secret } = await rt.teams.createKey(team, 'read', 'demo read key');
  // The web page's alert and saved-search views need an admin key.
  const admin = adminKey ? (await rt.teams.createKey(team, 'admin', 'demo admin key')).secret : undefined;
  if (print) {
    const base = url ?? `http://localhost:${rt.config.AUDITLOG_PORT}`;
    // With a server running, the CLI hint goes through it (remote mode); without, it reads the store.
    const cli = url
      ? `  npm run cli -- search '${DEMO_QUERIES[1]}' --url ${url} --key ${secret}`
      : `  npm run cli -- search '${DEMO_QUERIES[1]}' --team ${team}`;
    const lines = [
      '',
      existing
        ? `Demo team "${team}" already exists; here is a new read key for it:`
        : `Loaded ${loaded} demo events and the built-in alert rules into team "${team}". A read key:`,
      `  ${secret}`,
      '',
      'Queries to try:',
      ...DEMO_QUERIES.map(
        (q) => `  curl -s -G -H "Authorization: Bearer ${secret}" ${base}/api/v1/events --data-urlencode 'q=${q}'`,
      ),
      cli,
      '',
    ];
    console.error(lines.join('\n'));
  }
  return { loaded, key: secret, ...(admin ? { adminKey: admin } : {}) };
}
