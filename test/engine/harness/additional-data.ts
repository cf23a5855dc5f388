// IWorkflowExecuteAdditionalData is the engine's handle on the n8n server around it (database,
// sub-workflows, task runners, URLs). In-process there is no server: the credentials helper and
// lifecycle hooks are real, everything that would need the server fails loudly if a node uses it.
import { ExternalSecretsProxy, type ExecutionLifecycleHooks } from 'n8n-core';
import type { ICredentialsHelper, IWorkflowExecuteAdditionalData } from 'n8n-workflow';
import { UnexpectedError } from 'n8n-workflow';

const BASE_URL = 'http://localhost:5678';

const unsupported = (what: string) => () => {
  throw new UnexpectedError(`${what} is not available in the engine test harness`);
};

export function buildAdditionalData(
  executionId: string,
  credentialsHelper: ICredentialsHelper,
  hooks: ExecutionLifecycleHooks,
): IWorkflowExecuteAdditionalData {
  const additionalData: Partial<IWorkflowExecuteAdditionalData> = {
    executionId,
    credentialsHelper,
    hooks,
    currentNodeExecutionIndex: 0,
    variables: {},
    restApiUrl: `${BASE_URL}/rest`,
    instanceBaseUrl: BASE_URL,
    formBaseUrl: `${BASE_URL}/form`,
    formWaitingBaseUrl: `${BASE_URL}/form-waiting`,
    formTestBaseUrl: `${BASE_URL}/form-test`,
    webhookBaseUrl: `${BASE_URL}/webhook`,
    webhookWaitingBaseUrl: `${BASE_URL}/webhook-waiting`,
    webhookTestBaseUrl: `${BASE_URL}/webhook-test`,
    mcpBaseUrl: `${BASE_URL}/mcp`,
    mcpTestBaseUrl: `${BASE_URL}/mcp-test`,
    logAiEvent: () => {},
    getRunExecutionData: async () => undefined,
    getRuntimeCredential: async () => undefined,
    executeWorkflow: unsupported('Executing a sub-workflow'),
    startRunnerTask: unsupported('A task runner (Code node)'),
    // Without a manager the proxy reports no providers, as n8n does with external secrets off.
    externalSecretsProxy: new ExternalSecretsProxy(),
  };
  return additionalData as IWorkflowExecuteAdditionalData;
}
