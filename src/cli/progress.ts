/**
 * The import's progress on stderr: a bar redrawn in place on a terminal (percentage, rate,
 * ETA when the file's size is known), and plain lines at a slower pace when stderr is a pipe
 * or a log file, where carriage returns would pile up into one unreadable line.
 */

export interface ProgressState {
  bytes: number;
  totalBytes: number | undefined;
  events: number;
  elapsedMs: number;
}

const MB = 1024 * 1024;

function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/** One progress report; `width` > 0 draws a bar of that many cells in front. */
export function describeProgress({ bytes, totalBytes, events, elapsedMs }: ProgressState, width = 0): string {
  const seconds = elapsedMs / 1000;
  const rate = seconds > 0 ? `${Math.round(events / seconds).toLocaleString('en-US')} events/s, ${(bytes / MB / seconds).toFixed(1)} MB/s` : '';
  const parts: string[] = [];
  if (totalBytes !== undefined && totalBytes > 0) {
    const fraction = Math.min(1, bytes / totalBytes);
    const filled = Math.round(fraction * width);
    if (width > 0) parts.push(`[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`);
    parts.push(`${(fraction * 100).toFixed(1)}%`, `${(bytes / MB).toFixed(1)}/${(totalBytes / MB).toFixed(1)} MB`);
  } else {
    parts.push(`${(bytes / MB).toFixed(1)} MB`);
  }
  parts.push(`${events.toLocaleString('en-US')} events`);
  if (rate) parts.push(rate);
  if (totalBytes !== undefined && totalBytes > 0 && bytes > 0 && bytes < totalBytes && seconds > 0) {
    parts.push(`ETA ${duration(((totalBytes - bytes) / bytes) * seconds)}`);
  }
  return parts.join('  ');
}

export interface ProgressOptions {
  totalBytes: number | undefined;
  out?: NodeJS.WriteStream;
  /** How often a plain line is written when `out` is not a terminal. */
  lineIntervalMs?: number;
  now?: () => number;
}

export class Progress {
  readonly #out: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #totalBytes: number | undefined;
  readonly #interval: number;
  readonly #now: () => number;
  readonly #start: number;
  #last = 0;
  #drawn = false;

  constructor({ totalBytes, out = process.stderr, lineIntervalMs = 10_000, now = Date.now }: ProgressOptions) {
    this.#out = out;
    this.#tty = out.isTTY === true;
    this.#totalBytes = totalBytes;
    this.#now = now;
    this.#start = now();
    this.#last = this.#start;
    // A terminal is redrawn often enough to look live, a log gets a line now and then.
    this.#interval = this.#tty ? 200 : lineIntervalMs;
  }

  update(bytes: number, events: number): void {
    const now = this.#now();
    if (now - this.#last < this.#interval) return;
    this.#last = now;
    this.#write({ bytes, totalBytes: this.#totalBytes, events, elapsedMs: now - this.#start });
  }

  /** Moves past the bar so the next message starts on its own line. */
  clear(): void {
    if (this.#tty && this.#drawn) this.#out.write('\n');
    this.#drawn = false;
  }

  /** The last report, whatever the pace. */
  finish(bytes: number, events: number): void {
    this.#write({ bytes, totalBytes: this.#totalBytes, events, elapsedMs: this.#now() - this.#start });
    this.clear();
  }

  #write(state: ProgressState): void {
    if (this.#tty) {
      const width = Math.max(10, Math.min(30, (this.#out.columns ?? 80) - 90));
      this.#out.write(`\r${describeProgress(state, width)}\x1b[K`);
      this.#drawn = true;
    } else {
      this.#out.write(`progress: ${describeProgress(state)}\n`);
    }
  }
}
