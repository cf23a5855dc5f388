/** The four kinds of stall (stalls/detect.ts says what each means); /metrics counts stalls by kind. */
export const STALL_KINDS = ['claim', 'execution', 'no_outcome', 'cadence'] as const;
export type StallKind = (typeof STALL_KINDS)[number];
