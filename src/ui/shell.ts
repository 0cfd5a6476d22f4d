/**
 * The one HTML document of the page: every route of the page answers it, and the script
 * renders the view the URL names. No inline script or style, so the CSP can forbid both.
 */
import type { UiBundle } from './bundle.ts';

export function shellHtml(bundle: UiBundle): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>auditlog</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/${bundle.css.name}">
<script type="module" src="/assets/${bundle.js.name}"></script>
</head>
<body>
<div id="app"><noscript>auditlog's page needs JavaScript.</noscript></div>
</body>
</html>
`;
}

export const FAVICON_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#1f3a5f"/><path d="M8 9h16M8 16h11M8 23h14" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>';
