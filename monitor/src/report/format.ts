/**
 * The Monday report as text (a terminal), Markdown (paste into a ticket or chat) or JSON (scripts).
 * Text is the report's own; Markdown escapes what it quotes so an incident title cannot break the layout.
 */
import type { MondayReport } from './monday';

export const REPORT_FORMATS = ['text', 'markdown', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const mark = (ok: boolean) => (ok ? 'ok' : 'LOOK');

export function formatText(report: MondayReport): string {
  const lines = [`Monday-morning check — ${report.generatedAt}`, ''];
  report.items.forEach((item, n) => {
    lines.push(`${n + 1}. [${mark(item.ok)}] ${item.title}`, `   ${item.summary}`);
    for (const d of item.details) lines.push(`     ${d}`);
    lines.push('');
  });
  return `${lines.join('\n').trimEnd()}\n`;
}

/** Characters Markdown would read as markup; user text (titles, owners, keys) is quoted through this. */
const md = (text: string) => text.replace(/[\\`*_{}[\]()#+!|<>~]/g, (c) => `\\${c}`);

export function formatMarkdown(report: MondayReport): string {
  const lines = [`# Monday-morning check`, '', `_Generated ${report.generatedAt}_`, ''];
  report.items.forEach((item, n) => {
    lines.push(`## ${n + 1}. ${item.ok ? '✅' : '⚠️'} ${md(item.title)}`, '', md(item.summary), '');
    if (item.details.length) {
      // Trace steps are indented under their handoff; keep that as a nested list.
      for (const d of item.details) lines.push(d.startsWith('  ') ? `  - ${md(d.trim())}` : `- ${md(d)}`);
      lines.push('');
    }
  });
  lines.push('> ' + md(report.leadershipUpdate));
  return `${lines.join('\n')}\n`;
}

export function formatReport(report: MondayReport, format: ReportFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'markdown') return formatMarkdown(report);
  return formatText(report);
}
