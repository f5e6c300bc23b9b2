import type { OperatorTable } from '../expression-types.js';

export const dateOperators: OperatorTable = {};
