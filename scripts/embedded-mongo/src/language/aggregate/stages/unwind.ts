import type { Document } from 'bson';
import { Long } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { getPath } from '../../path.js';
import { isPlainDocument } from '../../values/type-order.js';
import type { StageCompiler } from '../stage-types.js';
import { setFieldPath } from './set-field-path.js';

/**
 * $unwind: one output document per array element. A non-array value counts as a one-element
 * array; null, missing and [] produce nothing unless preserveNullAndEmptyArrays is set.
 */
export const unwind: StageCompiler = (spec) => {
  let pathSpec: unknown = spec;
  let includeArrayIndex: string | undefined;
  let preserve = false;
  if (isPlainDocument(spec)) {
    for (const key of Object.keys(spec)) {
      if (!['path', 'includeArrayIndex', 'preserveNullAndEmptyArrays'].includes(key)) {
        throw new MongoCommandError(28811, `unrecognized option to $unwind stage: ${key}`);
      }
    }
    pathSpec = spec.path;
    if (spec.includeArrayIndex !== undefined) {
      if (typeof spec.includeArrayIndex !== 'string' || spec.includeArrayIndex === '' || spec.includeArrayIndex.startsWith('$')) {
        throw new MongoCommandError(28822, "includeArrayIndex option to $unwind stage should not be prefixed with a '$'");
      }
      includeArrayIndex = spec.includeArrayIndex;
    }
    if (spec.preserveNullAndEmptyArrays !== undefined) {
      if (typeof spec.preserveNullAndEmptyArrays !== 'boolean') {
        throw new MongoCommandError(28809, 'expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage');
      }
      preserve = spec.preserveNullAndEmptyArrays;
    }
  }
  if (typeof pathSpec !== 'string') throw new MongoCommandError(15981, 'expected either a string or an object as specification for $unwind stage');
  if (!pathSpec.startsWith('$')) {
    throw new MongoCommandError(28818, `path option to $unwind stage should be prefixed with a '$': ${pathSpec}`);
  }
  const path = pathSpec.slice(1);
  return (input) => {
    const output: Document[] = [];
    for (const doc of input) {
      const value = getPath(doc, path);
      if (Array.isArray(value) && value.length > 0) {
        value.forEach((element, index) => {
          let result = setFieldPath(doc, path, element);
          if (includeArrayIndex !== undefined) result = setFieldPath(result, includeArrayIndex, Long.fromNumber(index));
          output.push(result);
        });
      } else if (value !== undefined && value !== null && !Array.isArray(value)) {
        output.push(includeArrayIndex !== undefined ? setFieldPath(doc, includeArrayIndex, null) : doc);
      } else if (preserve) {
        // An empty array disappears from the preserved document; null stays null.
        let result = Array.isArray(value) ? setFieldPath(doc, path, undefined) : doc;
        if (includeArrayIndex !== undefined) result = setFieldPath(result, includeArrayIndex, null);
        output.push(result);
      }
    }
    return output;
  };
};
