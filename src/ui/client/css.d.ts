/** CSS files are bundled by esbuild (src/ui/bundle.ts) into the page's one stylesheet. */
declare module '*.css';
