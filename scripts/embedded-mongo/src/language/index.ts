/**
 * The document language of the engine: BSON value semantics, query filters, update operators,
 * projections, sorts and the aggregation pipeline. Pure functions over decoded documents; no
 * I/O, no storage. The server (../server) calls only what is exported here.
 *
 * Documents are decoded with `promoteValues: false`, so numbers arrive as bson's Int32, Double,
 * Long and Decimal128 (never plain JS numbers from the wire) and keep their BSON type through
 * every operation. Functions also accept plain JS numbers, which are treated as doubles.
 *
 * Contract (signatures are fixed; the server builds against them). Beyond it:
 * - valuesIdentical: byte identity (same BSON types all the way down), what `modified` uses;
 * - groupKeyOf: a string equal for two values exactly when valuesEqual says so (hash keys for
 *   distinct, $group, hashed lookups);
 * - addNumbers/subtractNumbers/multiplyNumbers/divideNumbers and isNumeric: typed arithmetic.
 * Unsupported MongoDB operators and stages throw MongoCommandError NotImplemented (238) naming them.
 */
export { compareValues, valuesEqual, valuesIdentical } from './values/compare.js';
export { bsonTypeAlias } from './values/type-order.js';
export { addNumbers, subtractNumbers, multiplyNumbers, divideNumbers } from './values/arithmetic.js';
export { isNumeric } from './values/numeric.js';
export { getPath } from './path.js';
export { indexKeysFor } from './index-keys.js';
export { compileFilter, type Matcher } from './filter.js';
export { parseCollation, foldFilter, foldValue, type Collation } from './collation.js';
export { applyUpdate, buildUpsertDocument, type UpdateOptions, type UpdateResult } from './update.js';
export { compileProjection } from './projection.js';
export { compileSort } from './sort.js';
export { runPipeline, type PipelineContext } from './aggregate/pipeline.js';
export { evaluateExpression } from './aggregate/expressions.js';
export { groupKeyOf } from './values/group-key.js';
