import type { Document } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { compileProjectionOf } from '../../projection.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileExpression } from '../expressions.js';
import type { CompiledExpression } from '../expression-types.js';
import { typeNameForError } from '../expression-errors.js';
import type { StageCompiler } from '../stage-types.js';
import { setFieldPath } from './set-field-path.js';

/** Stages that reshape each document: $project, $addFields/$set, $unset, $replaceRoot/$replaceWith. */
export const project: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(15969, '$project specification must be an object');
  const projection = compileProjectionOf(spec, 'aggregate');
  return (input, _ctx, variables) => input.map((doc) => projection(doc, variables));
};

export const addFields: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(40272, '$addFields specification stage must be an object');
  const fields: [string, CompiledExpression][] = [];
  collectAddedFields('', spec, fields);
  return (input, _ctx, variables) =>
    input.map((doc) => {
      let result: Document = doc;
      for (const [path, expression] of fields) {
        result = setFieldPath(result, path, expression(doc, variables));
      }
      return result;
    });
};

/** `{a: {b: expr}}` merges b into an existing a (the stage's documented behaviour), so nested literals become paths. */
function collectAddedFields(prefix: string, spec: Record<string, unknown>, fields: [string, CompiledExpression][]): void {
  for (const [key, value] of Object.entries(spec)) {
    if (key.startsWith('$')) throw new MongoCommandError(16410, `FieldPath field names may not start with '$'. Consider using $getField or $setField.`);
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainDocument(value) && Object.keys(value).length > 0 && !Object.keys(value)[0]!.startsWith('$')) {
      collectAddedFields(path, value, fields);
    } else {
      fields.push([path, compileExpression(value)]);
    }
  }
}

export const unset: StageCompiler = (spec) => {
  const fields = typeof spec === 'string' ? [spec] : spec;
  if (!Array.isArray(fields) || fields.length === 0 || fields.some((field) => typeof field !== 'string' || field === '')) {
    throw new MongoCommandError(31002, '$unset specification must be a string or an array containing only string values');
  }
  const projection = compileProjectionOf(Object.fromEntries(fields.map((field) => [field, 0])), 'aggregate');
  return (input) => input.map((doc) => projection(doc));
};

export function replaceRootWith(expressionSpec: unknown): ReturnType<StageCompiler> {
  const expression = compileExpression(expressionSpec);
  return (input, _ctx, variables) =>
    input.map((doc) => {
      const value = expression(doc, variables);
      if (!isPlainDocument(value)) {
        throw new MongoCommandError(
          40228,
          `'replacement document' must evaluate to an object, but resulting value was: ${value === undefined ? 'MISSING' : String(value)}. Type of resulting value: '${typeNameForError(value)}'. Input document: ${JSON.stringify(doc)}`,
        );
      }
      return value;
    });
}

export const replaceRoot: StageCompiler = (spec) => {
  if (!isPlainDocument(spec) || !Object.hasOwn(spec, 'newRoot')) {
    throw new MongoCommandError(40231, 'no newRoot specified for the $replaceRoot stage');
  }
  return replaceRootWith(spec.newRoot);
};

export const replaceWith: StageCompiler = (spec) => replaceRootWith(spec);
