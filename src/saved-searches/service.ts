/**
 * Saved searches as a team sees them: the query must parse and is stored in canonical form,
 * ids and timestamps are ours. Knows nothing of HTTP; throws typed errors.
 */
import { NotFoundError } from '../errors.ts';
import { newId } from '../alerts/ids.ts';
import { parseQuery } from '../query/parse.ts';
import { printQuery } from '../query/print.ts';
import { type SavedSearch, SavedSearchInput, type SavedSearchStore } from './model.ts';

export function canonicalQuery(text: string): string {
  // parseQuery throws QuerySyntaxError (400 with the position) for a bad query.
  return printQuery(parseQuery(text));
}

export class SavedSearchService {
  readonly #store: SavedSearchStore;
  readonly #now: () => number;

  constructor(store: SavedSearchStore, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  async create(team: string, input: SavedSearchInput): Promise<SavedSearch> {
    const body = SavedSearchInput.parse(input);
    const at = new Date(this.#now()).toISOString();
    const s: SavedSearch = { ...body, query: canonicalQuery(body.query), id: newId(), team, createdAt: at, updatedAt: at };
    await this.#store.insertSavedSearch(s);
    return s;
  }

  async update(team: string, id: string, input: SavedSearchInput): Promise<SavedSearch> {
    const current = await this.get(team, id);
    const body = SavedSearchInput.parse(input);
    const s: SavedSearch = { ...body, query: canonicalQuery(body.query), id, team, createdAt: current.createdAt, updatedAt: new Date(this.#now()).toISOString() };
    if (!(await this.#store.updateSavedSearch(s))) throw new NotFoundError('saved search', id);
    return s;
  }

  async get(team: string, id: string): Promise<SavedSearch> {
    const s = await this.#store.getSavedSearch(team, id);
    if (!s) throw new NotFoundError('saved search', id);
    return s;
  }

  list(team: string): Promise<SavedSearch[]> {
    return this.#store.listSavedSearches(team);
  }

  async delete(team: string, id: string): Promise<void> {
    if (!(await this.#store.deleteSavedSearch(team, id))) throw new NotFoundError('saved search', id);
  }

  /** Creates or updates (matched by name) a saved search of the built-in set (queries/). */
  async install(team: string, input: SavedSearchInput): Promise<{ created: boolean; search: SavedSearch }> {
    const current = (await this.list(team)).find((s) => s.name === input.name);
    if (current) return { created: false, search: await this.update(team, current.id, input) };
    return { created: true, search: await this.create(team, input) };
  }
}
