/** How the collector's polling of n8n is going, as /metrics reports it (metrics/registry.ts). */
export interface CollectorStatus {
  /** Epoch ms of the last poll that read n8n completely. */
  lastSuccessAt?: number;
  errors: number;
  lastError?: string;
  polls: number;
}
