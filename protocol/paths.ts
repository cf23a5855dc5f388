/**
 * Where the monitor's JSON API lives. The nodes call `API_BASE + route`; the monitor mounts each route
 * under API_BASE, so neither side spells a path the other does not.
 */
export const API_BASE = '/api/v1';

/** The API's routes relative to API_BASE, as the monitor mounts them (`:id` is an incident id). */
export const API_ROUTES = {
  handoffs: '/handoffs',
  claims: '/claims',
  complete: '/claims/complete',
  release: '/claims/release',
  events: '/events',
  incidents: '/incidents',
  incident: '/incidents/:id',
  ack: '/incidents/:id/ack',
  resolve: '/incidents/:id/resolve',
  replay: '/incidents/:id/replay',
  queue: '/queue',
  replays: '/replays',
} as const;

/** A route with its incident id filled in, under API_BASE. */
export const incidentPath = (route: string, id: number | string): string =>
  `${API_BASE}${route.replace(':id', encodeURIComponent(String(id)))}`;

/** Every handoff id the contract may hold, in requests of all kinds. */
export const MAX_HANDOFF_ID_LENGTH = 100;
