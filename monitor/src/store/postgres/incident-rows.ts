/** Incident rows on Postgres: the shared mapping (rows/incidents.ts), with json columns that pg hands over parsed. */
import { fromIncidentRow as fromRow, INCIDENT_COLUMNS, type IncidentRow, type StoredIncident, toIncidentParams } from '../rows/incidents';

export { INCIDENT_COLUMNS as COLUMNS, type IncidentRow, type StoredIncident, toIncidentParams };

export const fromIncidentRow = (r: IncidentRow): StoredIncident => fromRow(r, 'parsed');
