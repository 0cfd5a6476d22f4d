/**
 * The page's calls to the server: the same JSON API as curl, authenticated by the session
 * cookie (sent by the browser, never readable by this code) and, on every state-changing call,
 * the session's CSRF token. A 401 means the session ended: the page goes back to sign-in.
 */
import type { EventRecord } from '../../events/columns.ts';
// The answers' shapes are the server's own (type-only imports: nothing of the server is bundled).
import type { RuleState } from '../../alerts/states.ts';
import type { PreviewWindow, RulePreview as Preview } from '../../alerts/preview.ts';
import type { FieldEntry, FieldList, UnknownField } from '../../search/fields.ts';
export type { FieldEntry, FieldList, Preview, PreviewWindow, RuleState, UnknownField };

export interface SessionInfo {
  team: string;
  role: 'read' | 'admin' | 'ingest';
  keyId: string;
  csrfToken: string;
  expiresAt: string;
  csrfHeader: string;
}

export interface ApiEvent extends EventRecord {
  raw?: string;
}

export interface SearchPage {
  total: number;
  hits: ApiEvent[];
  cursor: string | null;
}

export interface Histogram {
  intervalMs: number;
  buckets: Array<{ start: string; count: number }>;
}

export interface Facet {
  field: string;
  buckets: Array<{ value: string; count: number }>;
  other: number;
}




export interface SavedSearch {
  id: string;
  name: string;
  query: string;
  description?: string;
  timeRange?: { from: string; to?: string };
  columns?: string[];
  createdAt: string;
  updatedAt: string;
}

export type Condition =
  | { type: 'any' }
  | { type: 'count_above'; threshold: number }
  | { type: 'count_below'; threshold: number }
  | { type: 'cardinality'; field: string; threshold: number }
  | { type: 'new_term'; field: string; lookback?: string };

export type Channel =
  | { id?: string; type: 'webhook'; url: string; secret?: string; hasSecret?: boolean }
  | { id?: string; type: 'slack'; url: string }
  | { id?: string; type: 'email'; to: string[] };

export interface RuleInput {
  name: string;
  description?: string;
  query: string;
  schedule?: string;
  window: string;
  condition: Condition;
  groupBy?: string;
  throttle?: string;
  notifyRecovery?: boolean;
  channels: Channel[];
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  enabled: boolean;
}

export interface Rule extends RuleInput {
  id: string;
  team: string;
  builtin?: string;
  createdAt: string;
  updatedAt: string;
}


export interface HistoryEntry {
  id: string;
  at: string;
  kind: string;
  group: string;
  message: string;
  detail?: Record<string, unknown>;
}



export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

let csrf: { header: string; token: string } | null = null;
let onUnauthorized: () => void = () => {};

export function setSession(s: SessionInfo | null): void {
  csrf = s ? { header: s.csrfHeader, token: s.csrfToken } : null;
}

export function whenUnauthorized(fn: () => void): void {
  onUnauthorized = fn;
}

async function request<T>(method: string, path: string, body?: unknown, { quiet401 = false } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrf) headers[csrf.header] = csrf.token;
  const res = await fetch(path, { method, headers, credentials: 'same-origin', ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null)?.error;
    if (res.status === 401 && !quiet401) onUnauthorized();
    throw new ApiError(res.status, err?.code ?? 'HTTP', err?.message ?? `${res.status} ${res.statusText}`, err?.details);
  }
  return json as T;
}

export const qs = (params: Record<string, string | number | undefined | null>): string => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s ? `?${s}` : '';
};

export interface Range {
  q: string;
  from: string;
  to: string;
}

export const api = {
  session: () => request<{ session: SessionInfo | null }>('GET', '/ui/session', undefined, { quiet401: true }),
  signIn: (key: string) => request<SessionInfo>('POST', '/ui/session', { key }, { quiet401: true }),
  signOut: () => request<void>('DELETE', '/ui/session'),

  search: (r: Range & { size?: number; cursor?: string; sort?: 'asc' | 'desc' }) =>
    request<SearchPage>('GET', `/api/v1/events${qs({ q: r.q, from: r.from, to: r.to, size: r.size ?? 50, cursor: r.cursor, sort: r.sort })}`),
  histogram: (r: Range & { interval?: number }) =>
    request<Histogram>('GET', `/api/v1/events/histogram${qs({ q: r.q, from: r.from, to: r.to, interval: r.interval })}`),
  facets: (r: Range & { field: string; size?: number }) =>
    request<Facet>('GET', `/api/v1/events/facets${qs({ q: r.q, from: r.from, to: r.to, field: r.field, size: r.size ?? 5 })}`),
  fields: (r: Range) => request<FieldList>('GET', `/api/v1/fields${qs({ q: r.q, from: r.from, to: r.to })}`),
  event: (id: string) => request<ApiEvent>('GET', `/api/v1/events/${encodeURIComponent(id)}`),
  exportUrl: (r: Range & { format: 'csv' | 'ndjson'; columns?: string[] }) =>
    `/api/v1/events/export${qs({ q: r.q, from: r.from, to: r.to, format: r.format, columns: r.columns?.join(',') })}`,

  savedSearches: () => request<{ savedSearches: SavedSearch[] }>('GET', '/api/v1/saved-searches'),
  saveSearch: (s: Omit<SavedSearch, 'id' | 'createdAt' | 'updatedAt'>) => request<SavedSearch>('POST', '/api/v1/saved-searches', s),
  deleteSavedSearch: (id: string) => request<void>('DELETE', `/api/v1/saved-searches/${encodeURIComponent(id)}`),

  rules: () => request<{ rules: Rule[] }>('GET', '/api/v1/alerts'),
  rule: (id: string) => request<Rule>('GET', `/api/v1/alerts/${encodeURIComponent(id)}`),
  ruleStates: () => request<{ states: RuleState[] }>('GET', '/api/v1/alert-states'),
  ruleHistory: (id: string, before?: string) =>
    request<{ history: HistoryEntry[] }>('GET', `/api/v1/alerts/${encodeURIComponent(id)}/history${qs({ limit: 100, before })}`),
  createRule: (r: RuleInput) => request<Rule>('POST', '/api/v1/alerts', r),
  updateRule: (id: string, r: RuleInput) => request<Rule>('PUT', `/api/v1/alerts/${encodeURIComponent(id)}`, r),
  setRuleEnabled: (id: string, enabled: boolean) => request<Rule>('PATCH', `/api/v1/alerts/${encodeURIComponent(id)}`, { enabled }),
  deleteRule: (id: string) => request<void>('DELETE', `/api/v1/alerts/${encodeURIComponent(id)}`),
  previewRule: (r: RuleInput) => request<Preview>('POST', '/api/v1/alerts/preview', r),
};
