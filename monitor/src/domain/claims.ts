/** The ledger's vocabulary inside the monitor; the wire shapes are in protocol/ledger.ts. */

/** What a settle request does to its keys: `POST /claims/complete` or `POST /claims/release`. */
export type SettleAction = 'complete' | 'release';
