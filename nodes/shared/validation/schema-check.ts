/** A compiled schema as a per-item check: nothing allocated for valid items (the hot path). */
import type { ValidateFunction } from 'ajv';
import { describeErrors } from './messages';
import { MAX_PROBLEMS_PER_ITEM, type ItemProblem } from './problem';
import { readPointer } from './read-pointer';

export const NO_PROBLEMS: readonly ItemProblem[] = Object.freeze([]);

export function schemaCheck(validate: ValidateFunction): (json: unknown) => readonly ItemProblem[] {
  return (json) => {
    if (validate(json)) return NO_PROBLEMS;
    return describeErrors(validate.errors ?? [], (pointer) => readPointer(json, pointer), MAX_PROBLEMS_PER_ITEM);
  };
}
