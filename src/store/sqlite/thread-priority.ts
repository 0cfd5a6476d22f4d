/**
 * Background threads of the SQLite store (reads, checkpoints) run at a lower CPU priority than
 * the event loop (nice +10: about a tenth of its share when both want a core), so that health
 * checks, authentication and ingest stay fast while they work. Linux only (a thread's id is in
 * /proc/thread-self); elsewhere they keep the process's priority.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

const BACKGROUND_NICENESS = 10;

export function lowerThisThreadsPriority(): void {
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), BACKGROUND_NICENESS);
  } catch {
    // Not Linux, or not allowed: same priority as the event loop.
  }
}
