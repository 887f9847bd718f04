// The run view's end of its protocol (src/shared/run-view-protocol.ts).
import { parseToRunView, RunViewLog, runViewStateSchema, type RunViewState, type ToRunHostMessage, type ToRunViewMessage } from '../../shared/run-view-protocol';
import { WebviewIpc } from '../vscode-ipc';

export class RunViewIpc extends WebviewIpc<ToRunViewMessage, ToRunHostMessage, RunViewState> {
  constructor() {
    super(parseToRunView, (message) => RunViewLog.make({ level: 'warn', message }), runViewStateSchema);
  }
}
