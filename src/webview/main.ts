// Webview entry (bundled by esbuild into dist/webview.js, loaded by the panel's HTML with a nonce).
import { App } from './app';
import { Ipc } from './ipc';
import { Log } from '../shared/webview-protocol';

// Read while this script runs: the nonce the CSP allows, for the style elements the DSL editor
// injects. (Browsers hide the attribute from getAttribute; the property keeps it.)
const nonce = (document.currentScript as HTMLScriptElement | null)?.nonce ?? '';
const ipc = new Ipc();
window.addEventListener('error', (e) => ipc.post(Log.make({ level: 'error', message: String(e.message).slice(0, 4000) })));
const mount = document.getElementById('app');
if (mount) new App(ipc, mount, nonce);
