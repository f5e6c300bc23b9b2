import type { Document } from 'bson';

/**
 * Shapes shared by the expression compiler and the operator families it registers. Operator
 * files receive `compile` as an argument instead of importing the compiler, so the families
 * stay independent of each other and free of import cycles.
 */
export type Variables = Record<string, unknown>;
/** `current` is the document field paths ('$a') read from; `$$ROOT` comes from variables. */
export type CompiledExpression = (current: Document, variables: Variables | undefined) => unknown;
export type CompileExpression = (expression: unknown) => CompiledExpression;
export type OperatorCompiler = (operand: unknown, compile: CompileExpression, name: string) => CompiledExpression;
export type OperatorTable = Record<string, OperatorCompiler>;

/** Operand of an expression operator as an argument list (`{$abs: x}` is `{$abs: [x]}`). */
export function operandList(operand: unknown): unknown[] {
  return Array.isArray(operand) ? operand : [operand];
}
