// The run view's HTML: the shell every Distillery webview uses (src/extension/panel/html.ts:
// default-src 'none', a fresh nonce per load, scripts by nonce only, styles from the extension's
// own folders). Pure, so the Chromium test loads exactly what VS Code loads.
import { renderWebviewHtml } from '../panel/html';

export interface RunViewHtmlOptions {
  /** `webview.cspSource` in VS Code (the origin its resource URIs use). */
  cspSource: string;
  scriptUri: string;
  styleUri: string;
  /** Fresh per load; a test may pass its own. */
  nonce?: string;
}

export function renderRunViewHtml(o: RunViewHtmlOptions): string {
  return renderWebviewHtml({ ...o, title: 'Distillery Run', appClass: 'run-view' });
}
