// Run view entry (bundled by esbuild into dist/run-view.js, loaded by the run view's HTML with a nonce).
import { RunViewApp } from './run-view/app';
import { RunViewIpc } from './run-view/ipc';
import { RunViewLog } from '../shared/run-view-protocol';

const ipc = new RunViewIpc();
window.addEventListener('error', (e) => ipc.post(RunViewLog.make({ level: 'error', message: String(e.message).slice(0, 4000) })));
const mount = document.getElementById('app');
if (mount) new RunViewApp(ipc, mount);
