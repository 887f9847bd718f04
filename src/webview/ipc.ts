// The review panel's end of its protocol (src/shared/webview-protocol.ts).
import { Log, parseToWebview, webviewStateSchema, type ToHostMessage, type ToWebviewMessage, type WebviewState } from '../shared/webview-protocol';
import { WebviewIpc } from './vscode-ipc';

export class Ipc extends WebviewIpc<ToWebviewMessage, ToHostMessage, WebviewState> {
  constructor() {
    super(parseToWebview, (message) => Log.make({ level: 'warn', message }), webviewStateSchema);
  }
}
