/**
 * The page's bundle: it builds from the sources alone, stays under the budget of
 * 150 KB of gzipped JavaScript, and carries no server-only code (zod, node built-ins).
 */
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../src/ui/bundle.ts';

describe('page bundle', () => {
  it('builds one script and one stylesheet, the script under 150 KB gzipped', async () => {
    const b = await loadBundle();
    expect(b.js.name).toMatch(/^app-[A-Z0-9]+\.js$/);
    expect(b.css.name).toMatch(/^app-[A-Z0-9]+\.css$/);
    expect(b.js.gzip.length).toBeLessThan(150 * 1024);
    expect([...b.byName.keys()].sort()).toEqual([b.css.name, b.js.name].sort());
    const js = b.js.body.toString('utf8');
    // zod's error map and node's modules would mean a server module leaked into the page.
    expect(js).not.toMatch(/ZodError|node:fs|node:crypto|better-sqlite3/);
    // uPlot's stylesheet and ours are in the one CSS file.
    expect(b.css.body.toString('utf8')).toMatch(/\.u-over/);
  });

  it('is built once per process', async () => {
    expect(await loadBundle()).toBe(await loadBundle());
  });
});
