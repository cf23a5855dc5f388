/**
 * Routing rules: the first rule whose condition holds sends the incident to its output; none →
 * the fallback output (the last one). Pure, so the routing is a table test, like Switch V3's.
 */
export type RuleField = 'kind' | 'severity' | 'handoff' | 'node' | 'errorMessage';
export type RuleOperation = 'equals' | 'notEquals' | 'contains' | 'startsWith' | 'regex';

export interface RoutingRule {
  outputName?: string;
  field: RuleField;
  operation: RuleOperation;
  value: string;
}

export interface RoutableIncident {
  kind?: string;
  severity?: string;
  handoff: string;
  error?: { message?: string; node?: string };
}

/** A bad regex is a configuration error; the caller reports it with the rule's number. */
export class RuleError extends Error {}

function fieldValue(incident: RoutableIncident, field: RuleField): string {
  switch (field) {
    case 'kind':
      return incident.kind ?? '';
    case 'severity':
      return incident.severity ?? '';
    case 'handoff':
      return incident.handoff;
    case 'node':
      return incident.error?.node ?? '';
    case 'errorMessage':
      return incident.error?.message ?? '';
  }
}

export function ruleMatches(rule: RoutingRule, incident: RoutableIncident): boolean {
  const actual = fieldValue(incident, rule.field).toLowerCase();
  const wanted = String(rule.value ?? '').toLowerCase();
  switch (rule.operation) {
    case 'equals':
      return actual === wanted;
    case 'notEquals':
      return actual !== wanted;
    case 'contains':
      return actual.includes(wanted);
    case 'startsWith':
      return actual.startsWith(wanted);
    case 'regex':
      try {
        return new RegExp(String(rule.value ?? ''), 'i').test(fieldValue(incident, rule.field));
      } catch (err) {
        // Pure module without a node to name: execute.ts wraps RuleError in a NodeOperationError with the item index.
        // eslint-disable-next-line @n8n/community-nodes/require-node-api-error
        throw new RuleError(`is not a valid regular expression: ${(err as Error).message}`);
      }
  }
}

/** Index of the output: a rule's position, or `rules.length` for the fallback. */
export function routeIncident(rules: RoutingRule[], incident: RoutableIncident): number {
  for (let i = 0; i < rules.length; i++) {
    try {
      if (ruleMatches(rules[i], incident)) return i;
    } catch (err) {
      // eslint-disable-next-line @n8n/community-nodes/require-node-api-error -- wrapped with the item index in execute.ts
      throw new RuleError(`Routing rule ${i + 1} (${rules[i].outputName || `output ${i + 1}`}) ${(err as Error).message}`);
    }
  }
  return rules.length;
}
