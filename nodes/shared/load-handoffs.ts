/** The handoff dropdown every node shares: read from the monitor's contract, so names and owners are never retyped. */
import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { LEDGER_PATHS, type HandoffSummary } from '../../protocol/ledger';
import { callMonitor } from './monitor-client';

export async function getHandoffs(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
  try {
    const { handoffs } = await callMonitor<{ handoffs: HandoffSummary[] }>(
      this,
      { method: 'GET', path: LEDGER_PATHS.handoffs },
      { attempts: 1 },
    );
    return handoffs.map((h) => ({
      name: h.name === h.id ? h.id : `${h.name} (${h.id})`,
      value: h.id,
      description: `Owner: ${h.owner.name}${h.owner.channel ? ` ${h.owner.channel}` : ''}`,
    }));
  } catch (error) {
    throw new NodeOperationError(this.getNode(), error as Error, {
      description: 'Check the Handoff Monitor API credential (URL and token) and that the monitor is running.',
    });
  }
}
