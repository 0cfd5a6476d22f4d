/**
 * Ids for history, outbox and notifications: ULIDs, monotonic within the process so entries
 * written in one evaluation sort in the order they were written.
 */
import { monotonicFactory } from 'ulid';

export const newId: () => string = monotonicFactory();
