// The run view's HTML: the review panel's policy (src/extension/panel/html.ts: default-src 'none',
// a fresh nonce per load, scripts by nonce only, styles from the extension's own folders), one
// stylesheet and one script. Pure, so the Chromium test loads exactly what VS Code loads.
import { contentSecurityPolicy, makeNonce } from '../panel/html';

export interface RunViewHtmlOptions {
  /** `webview.cspSource` in VS Code (the origin its resource URIs use). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Fresh per load; a test may pass its own. */
  nonce?: string;
}

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderRunViewHtml(o: RunViewHtmlOptions): string {
  const nonce = o.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>Distillery Run</title>
</head>
<body>
<div id="app" class="run-view"></div>
<script nonce="${nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}
