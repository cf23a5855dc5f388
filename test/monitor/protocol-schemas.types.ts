/**
 * Compile-time check (type-checked by `npx tsc -p tsconfig.test.json`, the first step of `npm test`):
 * each request schema of the monitor accepts exactly the protocol's request type, the one the nodes
 * build. "Exactly": each type is assignable to the other, and both name the same fields at every
 * depth, so a field added on one side only, or a type narrowed or widened on one side, fails the build.
 * The test-time twin is protocol-schemas.test.ts.
 */
import type { EventBatchRequest, EventRequest } from '../../protocol/events';
import type { IncidentActionRequest, IncidentRequest } from '../../protocol/incidents';
import type { ClaimRequest, SettleRequest } from '../../protocol/ledger';
import type { eventBatchSchema, eventSchema } from '../../monitor/src/api/routes/events';
import type { incidentActionSchema, incidentRequestSchema } from '../../monitor/src/api/routes/incidents';
import type { claimRequestSchema, settleRequestSchema } from '../../monitor/src/api/validate';

/** What a (zod 4) schema accepts; read off the schema so this file needs no zod of its own (test/ sees zod 3 from n8n). */
type Input<S extends { _zod: { input: unknown } }> = S['_zod']['input'];

/** Every field path of a type, `items[].key`, `execution.id`… (through unions, arrays and optionals). */
export type FieldPaths<T, P extends string = ''> = T extends readonly (infer U)[]
  ? FieldPaths<U, `${P}[]`>
  : T extends object
    ? string extends keyof T
      ? never // a free-form record (context, details): its keys are data, not fields
      : { [K in keyof T & string]-?: `${P}.${K}` | FieldPaths<NonNullable<T[K]>, `${P}.${K}`> }[keyof T & string]
    : never;

type Assignable<A, B> = [A] extends [B] ? true : false;
type SameUnion<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** True when A and B accept the same values and name the same fields. */
export type SameRequest<A, B> =
  Assignable<A, B> extends true ? (Assignable<B, A> extends true ? SameUnion<FieldPaths<A>, FieldPaths<B>> : false) : false;

/** Fails to compile unless given `true`; the error names the line of the schema that drifted. */
export type Expect<T extends true> = T;

export type Checks = [
  Expect<SameRequest<Input<typeof claimRequestSchema>, ClaimRequest>>,
  Expect<SameRequest<Input<typeof settleRequestSchema>, SettleRequest>>,
  Expect<SameRequest<Input<typeof eventSchema>, EventRequest>>,
  Expect<SameRequest<Input<typeof eventBatchSchema>, EventBatchRequest>>,
  Expect<SameRequest<Input<typeof incidentRequestSchema>, IncidentRequest>>,
  Expect<SameRequest<Input<typeof incidentActionSchema>, IncidentActionRequest>>,
];
