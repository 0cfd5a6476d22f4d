/** `auditlog search`: prints a page of events as a table, JSON or NDJSON, from the store or the API. */
import type { TeamId } from '../events/event.ts';
import { type EventView, toEventView } from '../http/schemas.ts';
import type { Runtime } from '../runtime.ts';
import type { ApiClient } from './remote.ts';

export interface SearchOptions {
  q: string;
  from?: string;
  to?: string;
  size: number;
  output: 'table' | 'json' | 'ndjson';
}

export async function printSearch(rt: Runtime, opts: SearchOptions & { team: TeamId }): Promise<void> {
  await rt.teams.getTeam(opts.team);
  const page = await rt.search.search(opts.team, { q: opts.q, from: opts.from, to: opts.to, size: opts.size });
  printPage({ total: page.total, hits: page.hits.map((e) => toEventView(e)) }, opts.output);
}

/** Remote mode: the team is the read key's. */
export async function printRemoteSearch(api: ApiClient, opts: SearchOptions): Promise<void> {
  const page = await api.call<{ total: number; hits: EventView[] }>('GET', '/api/v1/events', {
    query: { q: opts.q, from: opts.from, to: opts.to, size: String(opts.size) },
  });
  printPage(page, opts.output);
}

function printPage(page: { total: number; hits: EventView[] }, output: SearchOptions['output']): void {
  const views = page.hits;
  if (output === 'json') {
    console.log(JSON.stringify({ total: page.total, hits: views }, null, 2));
    return;
  }
  if (output === 'ndjson') {
    for (const v of views) console.log(JSON.stringify(v));
    return;
  }
  const rows = views.map((v) => [
    v['@timestamp'],
    v.format,
    v.normalized['event.action'] ?? '',
    v.normalized['event.outcome'] ?? '',
    v.normalized['user.email'] ?? v.normalized['user.name'] ?? v.normalized['user.id'] ?? '',
    v.normalized['source.ip'] ?? '',
  ]);
  const header = ['@timestamp', 'format', 'event.action', 'outcome', 'user', 'source.ip'];
  const widths = header.map((h, i) => Math.min(48, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const fmt = (cells: string[]) => cells.map((c, i) => (c.length > widths[i]! ? `${c.slice(0, widths[i]! - 1)}…` : c.padEnd(widths[i]!))).join('  ');
  console.log(fmt(header));
  for (const r of rows) console.log(fmt(r));
  console.log(`\n${page.hits.length} of ${page.total} events`);
}
