/**
 * The handoff contract ("workflow map"): the one file where systems, handoffs and their owners live.
 * Field names follow docs/architecture.md; every duration is parsed to milliseconds here so nothing
 * downstream handles strings.
 */
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../util/duration';

const duration = z.union([z.string(), z.number()]).transform((raw, ctx) => {
  const ms = parseDuration(raw);
  if (ms === undefined || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${raw}" is not a duration; ${DURATION_HINT}` });
    return z.NEVER;
  }
  return ms;
});

const id = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,99}$/i, 'use letters, digits, ".", "_" or "-" (at most 100), starting with a letter or digit');

export const personSchema = z.strictObject({
  name: z.string().min(1, 'needs a name'),
  channel: z.string().min(1).optional(),
  email: z.email().optional(),
});

const routeTarget = z.union([z.literal('owner'), z.literal('escalation'), personSchema]);

export const routeSchema = z.strictObject({
  /** Failure kind this route catches (invalid, request_failed, qa_failed, stalled, …) or "*". */
  match: z.string().min(1),
  to: routeTarget,
});

export const systemSchema = z.strictObject({
  name: z.string().min(1),
  kind: z.string().min(1).default('other'),
  url: z.url({ protocol: /^https?$/, message: 'must be a full http(s) URL' }).optional(),
});

export const handoffSchema = z.strictObject({
  id,
  name: z.string().min(1).optional(),
  trigger: z.string().optional(),
  source: z.string().min(1),
  targets: z.array(z.string().min(1)).min(1, 'name at least one target system'),
  object: z.string().optional(),
  owner: personSchema,
  escalation: personSchema.optional(),
  completionSla: duration.default(15 * 60_000),
  exceptionSla: duration.default(48 * 3_600_000),
  reviewSla: duration.optional(),
  expectedCadence: duration.optional(),
  workflows: z.array(z.union([z.string().min(1), z.number().transform(String)])).default([]),
  failureModes: z.array(z.string()).default([]),
  routes: z.array(routeSchema).default([]),
  qaSignal: z.string().optional(),
  metric: z.string().optional(),
  recoveryPath: z.string().optional(),
  reworkMinutes: z.number().min(0).default(30),
});

export const contractSchema = z
  .strictObject({
    systems: z.record(id, systemSchema).default({}),
    handoffs: z.array(handoffSchema).default([]),
  })
  .superRefine((contract, ctx) => {
    const seen = new Map<string, number>();
    contract.handoffs.forEach((h, index) => {
      const first = seen.get(h.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['handoffs', index, 'id'],
          message: `duplicates the id of handoffs[${first}]; ids must be unique`,
        });
      }
      seen.set(h.id, index);
      const known = Object.keys(contract.systems);
      const check = (system: string, path: (string | number)[]) => {
        if (!contract.systems[system]) {
          ctx.addIssue({
            code: 'custom',
            path,
            message: `names system "${system}", which is not under systems: (known: ${known.join(', ') || 'none'})`,
          });
        }
      };
      check(h.source, ['handoffs', index, 'source']);
      h.targets.forEach((t, ti) => check(t, ['handoffs', index, 'targets', ti]));
      h.routes.forEach((r, ri) => {
        if (r.to === 'escalation' && !h.escalation) {
          ctx.addIssue({
            code: 'custom',
            path: ['handoffs', index, 'routes', ri, 'to'],
            message: 'routes to "escalation" but the handoff has no escalation: target',
          });
        }
      });
    });
  });

export type Contract = z.output<typeof contractSchema>;
export type Handoff = z.output<typeof handoffSchema>;
export type Person = z.output<typeof personSchema>;

export const EMPTY_CONTRACT: Contract = { systems: {}, handoffs: [] };
