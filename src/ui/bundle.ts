/**
 * The page's JavaScript and CSS, bundled from src/ui/client/ by esbuild when the server starts
 * (about a second, once per process) and kept in memory, minified and gzipped. No build step
 * and no build output: `npm start`, the tests and the container all serve what the sources
 * say, and nothing comes from another origin.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface Asset {
  /** File name with a content hash, served under /assets/. */
  name: string;
  contentType: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

export interface UiBundle {
  js: Asset;
  css: Asset;
  byName: ReadonlyMap<string, Asset>;
}

const ENTRY = fileURLToPath(new URL('./client/main.tsx', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

let cached: Promise<UiBundle> | undefined;

/** The bundle, built on first call and shared by every later one (a failed build is retried). */
export function loadBundle(): Promise<UiBundle> {
  cached ??= build().catch((err: unknown) => {
    cached = undefined;
    throw err;
  });
  return cached;
}

async function build(): Promise<UiBundle> {
  // Loaded here, not at the top: the CLI's other commands never pay for esbuild.
  const esbuild = await import('esbuild');
  const result = await esbuild.build({
    entryPoints: { app: ENTRY },
    absWorkingDir: ROOT,
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome111', 'firefox113', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    outdir: 'assets',
    entryNames: '[name]-[hash]',
    assetNames: '[name]-[hash]',
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  const assets = result.outputFiles.map((f): Asset => {
    const name = basename(f.path);
    const body = Buffer.from(f.contents);
    return {
      name,
      contentType: name.endsWith('.js') ? 'text/javascript; charset=utf-8' : name.endsWith('.css') ? 'text/css; charset=utf-8' : 'application/octet-stream',
      body,
      gzip: gzipSync(body, { level: 9 }),
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    };
  });
  const js = assets.find((a) => a.name.endsWith('.js'));
  const css = assets.find((a) => a.name.endsWith('.css'));
  if (!js || !css) throw new Error(`the page bundle lacks its ${js ? 'CSS' : 'JavaScript'}`);
  return { js, css, byName: new Map(assets.map((a) => [a.name, a])) };
}
