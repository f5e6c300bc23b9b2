import type { Document } from 'bson';
import { Double } from 'bson';
import { ErrorCode, MongoCommandError } from '../../../errors.js';
import { getPath } from '../../path.js';
import { compileSort } from '../../sort.js';
import { compareValues } from '../../values/compare.js';
import { isNumeric, toDouble } from '../../values/numeric.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileExpression } from '../expressions.js';
import type { CompiledExpression } from '../expression-types.js';
import { groupKeyOf } from '../../values/group-key.js';
import type { StageCompiler } from '../stage-types.js';
import { setFieldPath } from './set-field-path.js';

/**
 * $fill: null or missing output fields get a constant expression (`value`), the last non-null
 * value of the partition in sortBy order (`locf`), or a linear interpolation between the
 * surrounding non-null values along the single sortBy field (`linear`).
 */
type FillRule = { field: string; kind: 'value'; value: CompiledExpression } | { field: string; kind: 'locf' | 'linear' };

export const fill: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(ErrorCode.FailedToParse, 'the $fill stage specification must be an object');
  if (!isPlainDocument(spec.output)) throw new MongoCommandError(ErrorCode.FailedToParse, "$fill requires an 'output' object");
  const sortBy = spec.sortBy === undefined ? undefined : (spec.sortBy as Document);
  if (sortBy !== undefined && !isPlainDocument(sortBy)) throw new MongoCommandError(ErrorCode.FailedToParse, "$fill 'sortBy' must be an object");
  const comparator = sortBy === undefined ? undefined : compileSort(sortBy);
  const partitionBy = partitionKeyOf(spec);
  const rules: FillRule[] = Object.entries(spec.output).map(([field, rule]) => {
    if (!isPlainDocument(rule)) throw new MongoCommandError(ErrorCode.FailedToParse, `$fill output for '${field}' must be an object`);
    if ('value' in rule) return { field, kind: 'value', value: compileExpression(rule.value) };
    if (rule.method === 'locf' || rule.method === 'linear') {
      if (comparator === undefined) throw new MongoCommandError(ErrorCode.FailedToParse, `$fill method '${rule.method}' requires a sortBy`);
      if (rule.method === 'linear' && Object.keys(sortBy!).length !== 1) {
        throw new MongoCommandError(ErrorCode.FailedToParse, "$fill method 'linear' requires a sortBy on exactly one field");
      }
      return { field, kind: rule.method };
    }
    throw new MongoCommandError(ErrorCode.FailedToParse, `$fill output for '${field}' needs 'value' or 'method' ('locf' or 'linear')`);
  });
  const sortField = sortBy === undefined ? undefined : Object.keys(sortBy)[0];

  return (input, _ctx, variables) => {
    const partitions = new Map<string, { key: unknown; docs: Document[] }>();
    for (const doc of input) {
      const key = partitionBy(doc, variables);
      const hash = groupKeyOf(key);
      let partition = partitions.get(hash);
      if (partition === undefined) partitions.set(hash, (partition = { key, docs: [] }));
      partition.docs.push(doc);
    }
    const output: Document[] = [];
    for (const { docs: unsorted } of [...partitions.values()].sort((a, b) => compareValues(a.key, b.key))) {
      let docs = comparator === undefined ? unsorted : [...unsorted].sort(comparator);
      for (const rule of rules) docs = applyRule(rule, docs, sortField, variables);
      output.push(...docs);
    }
    return output;
  };
};

function partitionKeyOf(spec: Record<string, unknown>): CompiledExpression {
  if (spec.partitionBy !== undefined) return compileExpression(spec.partitionBy);
  if (Array.isArray(spec.partitionByFields)) {
    const fields = spec.partitionByFields as string[];
    return (doc) => fields.map((field) => getPath(doc, field) ?? null);
  }
  return () => null;
}

function isMissing(value: unknown): boolean {
  return value === null || value === undefined;
}

function applyRule(rule: FillRule, docs: Document[], sortField: string | undefined, variables: Record<string, unknown>): Document[] {
  if (rule.kind === 'value') {
    return docs.map((doc) => (isMissing(getPath(doc, rule.field)) ? setFieldPath(doc, rule.field, rule.value(doc, variables)) : doc));
  }
  if (rule.kind === 'locf') {
    let last: unknown;
    return docs.map((doc) => {
      const value = getPath(doc, rule.field);
      if (!isMissing(value)) {
        last = value;
        return doc;
      }
      return last === undefined ? doc : setFieldPath(doc, rule.field, last);
    });
  }
  const positions = docs.map((doc) => {
    const position = getPath(doc, sortField!);
    return position instanceof Date ? position.getTime() : isNumeric(position) ? toDouble(position) : NaN;
  });
  return docs.map((doc, index) => {
    if (!isMissing(getPath(doc, rule.field))) return doc;
    let before = index - 1;
    while (before >= 0 && isMissing(getPath(docs[before]!, rule.field))) before--;
    let after = index + 1;
    while (after < docs.length && isMissing(getPath(docs[after]!, rule.field))) after++;
    if (before < 0 || after >= docs.length) return doc;
    const from = getPath(docs[before]!, rule.field);
    const to = getPath(docs[after]!, rule.field);
    if (!isNumeric(from) || !isNumeric(to)) return doc;
    const span = positions[after]! - positions[before]!;
    const ratio = span === 0 ? 0 : (positions[index]! - positions[before]!) / span;
    return setFieldPath(doc, rule.field, new Double(toDouble(from) + (toDouble(to) - toDouble(from)) * ratio));
  });
}
