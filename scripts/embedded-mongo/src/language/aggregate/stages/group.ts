import type { Document } from 'bson';
import { Int32 } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { compileSort } from '../../sort.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileAccumulator, type Accumulator } from '../accumulators.js';
import { compileExpression } from '../expressions.js';
import { groupKeyOf } from '../../values/group-key.js';
import type { StageCompiler } from '../stage-types.js';

/** $group and $sortByCount: hash grouping by MongoDB value equality, groups in first-seen order. */
export const group: StageCompiler = (spec) => {
  if (!isPlainDocument(spec)) throw new MongoCommandError(15947, "a group's fields must be specified in an object");
  if (!Object.hasOwn(spec, '_id')) throw new MongoCommandError(15955, 'a group specification must include an _id');
  const idExpression = compileExpression(spec._id);
  const accumulators = Object.keys(spec)
    .filter((field) => field !== '_id')
    .map((field) => {
      if (field.includes('.')) throw new MongoCommandError(40235, `The field name '${field}' cannot contain '.'`);
      if (field.startsWith('$')) throw new MongoCommandError(40236, `The field name '${field}' cannot be an operator name`);
      return [field, compileAccumulator(field, spec[field], compileExpression)] as const;
    });
  return (input, _ctx, variables) => {
    const groups = new Map<string, { id: unknown; states: Accumulator[] }>();
    for (const doc of input) {
      const rawId = idExpression(doc, variables);
      const id = rawId === undefined ? null : rawId;
      const key = groupKeyOf(id);
      let entry = groups.get(key);
      if (entry === undefined) {
        entry = { id, states: accumulators.map(([, accumulator]) => accumulator.create()) };
        groups.set(key, entry);
      }
      for (let i = 0; i < accumulators.length; i++) {
        entry.states[i]!.add(accumulators[i]![1].argument(doc, variables));
      }
    }
    const output: Document[] = [];
    for (const { id, states } of groups.values()) {
      const result: Document = { _id: id };
      for (let i = 0; i < accumulators.length; i++) result[accumulators[i]![0]] = states[i]!.result();
      output.push(result);
    }
    return output;
  };
};

export const sortByCount: StageCompiler = (spec, compilePipeline) => {
  const grouping = group({ _id: spec, count: { $sum: new Int32(1) } }, compilePipeline);
  const byCount = compileSort({ count: -1 });
  return (input, ctx, variables) => grouping(input, ctx, variables).sort(byCount);
};
