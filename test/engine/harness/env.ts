// n8n-core's services read their settings from the environment the first time the DI container
// builds them, so this module is imported before anything else in the harness.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// InstanceSettings writes `<N8N_USER_FOLDER>/.n8n/config` (an encryption key) on first use; a
// throw-away folder keeps tests out of the developer's real ~/.n8n.
const userFolder = mkdtempSync(join(tmpdir(), 'handoff-engine-'));
process.env.N8N_USER_FOLDER = userFolder;
const removeUserFolder = () => rmSync(userFolder, { recursive: true, force: true });
// Jest loads this module afresh for every test file and never fires the sandbox's 'exit'
// listeners, so under jest the folder goes when the file's tests are done.
if (typeof afterAll === 'function') afterAll(removeUserFolder);
else process.once('exit', removeUserFolder);

// The engine logs every node run at info level; tests stay quiet unless someone asks for logs.
process.env.N8N_LOG_LEVEL ??= 'silent';

// Nothing here calls Expression.initExpressionEngine, so n8n-workflow keeps its built-in `legacy`
// evaluator. (The n8n server starts the `vm` engine by default; it needs isolated-vm's native addon,
// whose prebuilds do not cover Node 20, so a server on Node 20 needs N8N_EXPRESSION_ENGINE=legacy.)
