/**
 * `handoff-monitor audit [--format text|markdown|json] [--draft-contract FILE] [--fail-on SEVERITY]`:
 * options in, the report, the draft and an exit code out. n8n and the file system come in as
 * functions, so cli.ts stays the only place that reads the environment or exits.
 *
 * Exit codes, so CI can gate on them: 0 no finding at or above --fail-on (default high; "none"
 * never fails), 1 at least one, 2 bad usage or n8n could not be read.
 */
import type { N8nWorkflowLister } from '../collector/n8n-client';
import type { Contract } from '../contract/schema';
import { runAudit } from './analyse';
import { draftContract } from './draft';
import { AUDIT_FORMATS, formatAudit, type AuditFormat } from './format';
import { readWorkflows } from './source';
import { SEVERITIES, SEVERITY_RANK, type AuditReport, type Severity } from './types';

export const AUDIT_EXIT = { ok: 0, findings: 1, usage: 2 } as const;
export const FAIL_ON = [...SEVERITIES, 'none'] as const;
export type FailOn = Severity | 'none';

/** As commander hands them over. */
export interface AuditCommandOptions {
  format?: string;
  draftContract?: string;
  failOn?: string;
}

export interface AuditRequest {
  format: AuditFormat;
  failOn: FailOn;
  draftFile?: string;
}

export function parseAuditOptions(opts: AuditCommandOptions): { ok: true; request: AuditRequest } | { ok: false; message: string } {
  const format = (opts.format ?? 'text').toLowerCase();
  if (!(AUDIT_FORMATS as readonly string[]).includes(format))
    return { ok: false, message: `--format "${opts.format}" is not a format; use one of ${AUDIT_FORMATS.join(', ')}` };
  const failOn = (opts.failOn ?? 'high').toLowerCase();
  if (!(FAIL_ON as readonly string[]).includes(failOn))
    return { ok: false, message: `--fail-on "${opts.failOn}" is not a severity; use one of ${FAIL_ON.join(', ')}` };
  if (opts.draftContract !== undefined && opts.draftContract.trim() === '')
    return { ok: false, message: '--draft-contract needs a file name' };
  return { ok: true, request: { format: format as AuditFormat, failOn: failOn as FailOn, draftFile: opts.draftContract } };
}

/** 1 when any finding is at or above the threshold. */
export function exitCodeFor(report: AuditReport, failOn: FailOn): number {
  if (failOn === 'none') return AUDIT_EXIT.ok;
  const min = SEVERITY_RANK[failOn];
  return report.findings.some((f) => SEVERITY_RANK[f.severity] >= min) ? AUDIT_EXIT.findings : AUDIT_EXIT.ok;
}

export interface AuditDeps {
  client: N8nWorkflowLister;
  contract: Contract;
  contractLoaded: boolean;
  n8nBaseUrl?: string;
  now?: () => number;
  writeFile: (path: string, text: string) => void;
}

export async function runAuditCommand(
  request: AuditRequest,
  deps: AuditDeps,
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let workflows;
  try {
    workflows = await readWorkflows(deps.client);
  } catch (err) {
    return {
      exitCode: AUDIT_EXIT.usage,
      stdout: '',
      stderr: `handoff-monitor audit: could not read the workflows: ${(err as Error)?.message ?? String(err)}\n`,
    };
  }
  const report = runAudit(workflows, deps.contract, {
    now: (deps.now ?? Date.now)(),
    contractLoaded: deps.contractLoaded,
    n8nBaseUrl: deps.n8nBaseUrl,
  });
  let stderr = '';
  if (request.draftFile) {
    const uncovered = report.workflows.filter((w) => w.role === 'handoff' && !w.safeguards.contract).length;
    try {
      deps.writeFile(request.draftFile, draftContract(report, deps.contract));
    } catch (err) {
      return {
        exitCode: AUDIT_EXIT.usage,
        stdout: '',
        stderr: `handoff-monitor audit: could not write ${request.draftFile}: ${(err as Error)?.message ?? String(err)}\n`,
      };
    }
    stderr += uncovered
      ? `Draft contract for ${uncovered} uncovered workflow(s) written to ${request.draftFile}: fill in each owner and the FILL-IN SLAs, then run handoff-monitor check on it.\n`
      : `Nothing to draft: every workflow that writes records is in the contract (${request.draftFile} says so).\n`;
  }
  return { exitCode: exitCodeFor(report, request.failOn), stdout: formatAudit(report, request.format), stderr };
}
