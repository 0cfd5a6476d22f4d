/**
 * Saved searches ("custom views"): a named query with the time range and columns the view
 * opens with. The zod schemas are the validation, the types and the API documentation.
 */
import { z } from 'zod';

export const SavedSearchInput = z.object({
  name: z.string().trim().min(1).max(200),
  query: z.string().max(16_384),
  description: z.string().max(2_000).optional(),
  /** Relative time range the view opens with, e.g. `now-24h` .. `now`. */
  timeRange: z.object({ from: z.string().max(64), to: z.string().max(64).optional() }).optional(),
  /** Columns shown in the result table (field paths). */
  columns: z.array(z.string().min(1).max(256)).max(50).optional(),
});
export type SavedSearchInput = z.infer<typeof SavedSearchInput>;

export const SavedSearch = SavedSearchInput.extend({
  id: z.string(),
  team: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type SavedSearch = z.infer<typeof SavedSearch>;

/** Where saved searches persist: beside the alert state (src/alerts/state-store.ts implements it). */
export interface SavedSearchStore {
  insertSavedSearch(s: SavedSearch): Promise<void>;
  /** Replaces a saved search; false when it does not exist in that team. */
  updateSavedSearch(s: SavedSearch): Promise<boolean>;
  getSavedSearch(team: string, id: string): Promise<SavedSearch | null>;
  listSavedSearches(team: string): Promise<SavedSearch[]>;
  deleteSavedSearch(team: string, id: string): Promise<boolean>;
}
