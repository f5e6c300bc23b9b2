import type { Document } from 'bson';
import { MongoCommandError } from '../../../errors.js';
import { setOwnField } from '../../path.js';
import { isPlainDocument } from '../../values/type-order.js';
import { compileExpression } from '../expressions.js';
import type { CompiledExpression, Variables } from '../expression-types.js';
import { REDACT_DESCEND, REDACT_KEEP, REDACT_PRUNE } from '../redaction.js';
import type { StageCompiler } from '../stage-types.js';

/**
 * $redact: the expression runs on the document and then on every embedded document (including
 * those inside arrays) that survives, each time as $$CURRENT; $$PRUNE drops that level,
 * $$KEEP keeps it whole, $$DESCEND keeps its fields and looks further down.
 */
export const redact: StageCompiler = (spec) => {
  const decide = compileExpression(spec);
  return (input, _ctx, variables) => {
    const output: Document[] = [];
    for (const doc of input) {
      const redacted = redactLevel(doc, decide, { ...variables, ROOT: doc });
      if (redacted !== undefined) output.push(redacted);
    }
    return output;
  };
};

function redactLevel(doc: Document, decide: CompiledExpression, variables: Variables): Document | undefined {
  const decision = decide(doc, { ...variables, CURRENT: doc });
  if (decision === REDACT_PRUNE) return undefined;
  if (decision === REDACT_KEEP) return doc;
  if (decision !== REDACT_DESCEND) {
    throw new MongoCommandError(17053, "$redact's expression should not return anything aside from the variables $$KEEP, $$DESCEND, and $$PRUNE");
  }
  const result: Document = {};
  for (const [key, value] of Object.entries(doc)) {
    if (isPlainDocument(value)) {
      const child = redactLevel(value, decide, variables);
      if (child !== undefined) setOwnField(result, key, child);
    } else if (Array.isArray(value)) {
      setOwnField(result, key, redactArray(value, decide, variables));
    } else {
      setOwnField(result, key, value);
    }
  }
  return result;
}

function redactArray(values: unknown[], decide: CompiledExpression, variables: Variables): unknown[] {
  const result: unknown[] = [];
  for (const value of values) {
    if (isPlainDocument(value)) {
      const child = redactLevel(value, decide, variables);
      if (child !== undefined) result.push(child);
    } else if (Array.isArray(value)) {
      result.push(redactArray(value, decide, variables));
    } else {
      result.push(value);
    }
  }
  return result;
}
