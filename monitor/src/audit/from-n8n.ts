/**
 * n8n's workflow (as the public API lists it, or as an exported JSON file holds it) → the audit's
 * AuditWorkflow. A published workflow is audited as published (what its triggers run), a workflow
 * never published as its saved draft. Pure.
 */
import type { N8nWorkflowWithNodes } from '../collector/n8n-client';
import type { AuditConnections, AuditNode, AuditWorkflow } from './types';

export function fromN8n(w: N8nWorkflowWithNodes): AuditWorkflow {
  const published = Boolean(w.activeVersionId || w.activeVersion || w.active);
  const useActive = Boolean(w.activeVersion && w.activeVersion.nodes.length);
  const nodes = (useActive ? w.activeVersion!.nodes : w.nodes) as AuditNode[];
  const connections = (useActive ? w.activeVersion!.connections : w.connections) as AuditConnections;
  return {
    id: w.id,
    name: w.name,
    published,
    archived: w.isArchived,
    tags: w.tags,
    nodes,
    connections,
    settings: w.settings as AuditWorkflow['settings'],
    version: useActive ? 'published' : 'draft',
  };
}

/**
 * A workflow from an exported JSON file (the templates' shape): `id`, `active` and tags as objects
 * or names are all optional. `published` says whether to treat it as published when the file
 * does not say.
 */
export function fromWorkflowJson(json: Record<string, unknown>, fallback: { id: string; published?: boolean }): AuditWorkflow {
  const tags = Array.isArray(json.tags)
    ? json.tags.map((t) => (typeof t === 'string' ? t : String((t as { name?: unknown })?.name ?? ''))).filter(Boolean)
    : [];
  return {
    id: typeof json.id === 'string' || typeof json.id === 'number' ? String(json.id) : fallback.id,
    name: typeof json.name === 'string' ? json.name : fallback.id,
    published: typeof json.active === 'boolean' ? json.active : (fallback.published ?? false),
    archived: json.isArchived === true,
    tags,
    nodes: (Array.isArray(json.nodes) ? json.nodes : []) as AuditNode[],
    connections: (json.connections ?? {}) as AuditConnections,
    settings: (json.settings ?? {}) as AuditWorkflow['settings'],
  };
}
