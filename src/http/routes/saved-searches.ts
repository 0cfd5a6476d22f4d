/**
 * Saved searches ("custom views"): a read key lists and opens them, an admin key writes
 * them. The query is validated and stored in canonical form.
 */
import type { OpenAPIHono } from '@hono/zod-openapi';
import { SavedSearch, SavedSearchInput } from '../../saved-searches/model.ts';
import type { SavedSearchService } from '../../saved-searches/service.ts';
import { registerCollectionRoutes } from '../collection-routes.ts';
import type { AppEnv } from '../context.ts';

export function registerSavedSearchRoutes(app: OpenAPIHono<AppEnv>, deps: { savedSearches: SavedSearchService }) {
  registerCollectionRoutes(
    app,
    {
      path: '/api/v1/saved-searches',
      one: 'SavedSearch',
      many: 'SavedSearches',
      listField: 'savedSearches',
      view: SavedSearch.meta({ id: 'SavedSearch' }),
      input: SavedSearchInput.meta({ id: 'SavedSearchInput' }),
      read: 'read',
      write: 'admin',
      inputErrors: ['QUERY_SYNTAX', 'UNSUPPORTED_QUERY', 'QUERY_LIMIT'],
      summaries: {
        list: "List your team's saved searches (read key)",
        get: 'One saved search (read key)',
        create: 'Save a search (admin key)',
        replace: 'Replace a saved search (admin key)',
        delete: 'Delete a saved search (admin key)',
      },
    },
    deps.savedSearches,
  );
}
