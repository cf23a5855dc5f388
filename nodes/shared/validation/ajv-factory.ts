/**
 * The one place the validator is configured, used by the node and by the conformance test alike,
 * so the conformance numbers describe exactly what ops staff get.
 */
import Ajv, { type Logger, type Options } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { Draft } from './drafts';

export const UNCHECKED_FORMATS = ['idn-email', 'idn-hostname', 'iri', 'iri-reference'] as const;

export type AnyAjv = Ajv | Ajv2019 | Ajv2020;

export interface AjvSetup {
  /** Receives Ajv's warnings (unknown keywords and formats) so they can be shown as a hint. */
  logger: Logger;
  /** Resolves remote `$ref`s (tests only: nodes read no files and fetch no schemas). */
  loadSchema?: Options['loadSchema'];
}

export function createAjv(draft: Draft, setup: AjvSetup): AnyAjv {
  const options: Options = {
    // Every problem of an item at once, so a person fixes the record in one go.
    allErrors: true,
    // JSON Schema says unknown keywords are ignored; a typo such as "requried" is reported as a
    // warning (hint) instead of a failure, because schemas come from other tools too.
    strict: false,
    strictSchema: 'log',
    // Formats are checked (the spec makes them annotations by default): an invalid email is the
    // kind of error pre-flight exists to stop. The conformance test lists this as an exclusion.
    validateFormats: true,
    // ownProperties stays off: it would stop `required` from seeing inherited names such as
    // "toString" (4 conformance tests per draft), but costs ~17% throughput on every item.
    logger: setup.logger,
    ...(setup.loadSchema ? { loadSchema: setup.loadSchema } : {}),
  };
  const ajv = draft === '2020-12' ? new Ajv2020(options) : draft === '2019-09' ? new Ajv2019(options) : new Ajv(options);
  addFormats(ajv);
  // The spec's internationalised formats have no checker in ajv-formats: accepted unchecked,
  // rather than refusing a schema that uses them. Any other unknown format is a schema mistake
  // (most often a typo such as "emial") and is reported before any item runs.
  for (const name of UNCHECKED_FORMATS) ajv.addFormat(name, true);
  return ajv;
}
