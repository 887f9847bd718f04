// The panel's HTML: a strict Content Security Policy with a fresh nonce per load, one stylesheet
// and one script, both from the extension's own dist/ and media/ folders. Shared by the extension
// and the Chromium tests so the tests load exactly what VS Code loads.
import { randomBytes } from 'node:crypto';

export interface PanelHtmlOptions {
  /** `webview.cspSource` in VS Code (the origin its resource URIs use). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Fresh per load; a test may pass its own. */
  nonce?: string;
  /** 'narrow' for the sidebar view, 'wide' for the editor-area review panel (a hint; CSS also follows width). */
  layout: 'narrow' | 'wide';
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64url');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    // The nonce lets the DSL editor (CodeMirror) inject its own style elements; no 'unsafe-inline'.
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    "connect-src 'none'",
    "frame-src 'none'",
    "form-action 'none'",
    "base-uri 'none'",
  ].join('; ');
}

export function renderPanelHtml(o: PanelHtmlOptions): string {
  return renderWebviewHtml({ ...o, title: 'Distillery Review', appClass: 'app', layout: o.layout });
}

export interface WebviewHtmlOptions {
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  nonce?: string;
  title: string;
  /** Class of the root element the app renders into (`#app`). */
  appClass: string;
  layout?: 'narrow' | 'wide';
}

/** The one HTML shell of every Distillery webview: strict CSP, one stylesheet, one nonce'd script. */
export function renderWebviewHtml(o: WebviewHtmlOptions): string {
  const nonce = o.nonce ?? makeNonce();
  return `<!DOCTYPE html>
<html lang="en"${o.layout ? ` data-layout="${o.layout}"` : ''}>
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${escapeAttr(contentSecurityPolicy(o.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${escapeAttr(o.styleUri)}">
<title>${escapeAttr(o.title)}</title>
</head>
<body>
<div id="app" class="${escapeAttr(o.appClass)}"></div>
<script nonce="${nonce}" src="${escapeAttr(o.scriptUri)}"></script>
</body>
</html>
`;
}

function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
