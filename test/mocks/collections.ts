/**
 * A target system's records (task-board projects, CMS folders, CRM deals). Like most SaaS APIs,
 * a POST creates a new record every time: `Idempotency-Key` is honoured only when switched on,
 * so duplicates a workflow creates stay visible to the tests.
 */

export type Rec = { id: string; createdAt: string } & Record<string, unknown>;

export class Collection {
  private records = new Map<string, Rec>();
  private byIdempotencyKey = new Map<string, string>();
  private seq = 0;
  honourIdempotencyKey = false;
  /** A target that alters what it is given (a CMS that renames folders); tests set it, reset clears it. */
  rewrite?: (fields: Record<string, unknown>) => Record<string, unknown>;

  constructor(private readonly idPrefix: string) {}

  /** Returns the record and whether it was created (false: replayed for a known Idempotency-Key). */
  create(given: Record<string, unknown>, idempotencyKey?: string): { record: Rec; created: boolean } {
    const fields = this.rewrite ? this.rewrite(given) : given;
    if (this.honourIdempotencyKey && idempotencyKey) {
      const known = this.byIdempotencyKey.get(idempotencyKey);
      const existing = known && this.records.get(known);
      if (existing) return { record: existing, created: false };
    }
    const id = typeof fields.id === 'string' && !this.records.has(fields.id) ? fields.id : `${this.idPrefix}_${++this.seq}`;
    const record: Rec = { ...fields, id, createdAt: new Date().toISOString() };
    this.records.set(id, record);
    if (idempotencyKey) this.byIdempotencyKey.set(idempotencyKey, id);
    return { record, created: true };
  }

  get(id: string): Rec | undefined {
    return this.records.get(id);
  }

  update(id: string, fields: Record<string, unknown>): Rec | undefined {
    const current = this.records.get(id);
    if (!current) return undefined;
    const next = { ...current, ...fields, id, updatedAt: new Date().toISOString() };
    this.records.set(id, next);
    return next;
  }

  delete(id: string): boolean {
    return this.records.delete(id);
  }

  /** Records whose fields equal every given filter value (compared as strings, like a query string). */
  list(filter: Record<string, string> = {}): Rec[] {
    const entries = Object.entries(filter);
    return [...this.records.values()].filter((r) => entries.every(([k, v]) => String(r[k]) === v));
  }

  clear(): void {
    this.records.clear();
    this.byIdempotencyKey.clear();
    this.seq = 0;
  }
}
