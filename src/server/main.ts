// Entry of dist/server.js: `node dist/server.js --stdio` (the transport is read from argv by
// vscode-languageserver). Everything else lives in server.ts and the feature files beside it.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { DistilleryServer } from './server';

new DistilleryServer(createConnection(ProposedFeatures.all)).listen();
