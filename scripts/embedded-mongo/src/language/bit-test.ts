import type { Binary } from 'bson';
import { badValue } from '../errors.js';
import { NumericWidth, isNumeric, longToBigInt, numericWidth, toDouble, toExactInteger } from './values/numeric.js';
import { BsonType, bsonTypeCode } from './values/type-order.js';
import type { Long } from 'bson';

/**
 * The bitwise query operators ($bitsAllSet, $bitsAnySet, $bitsAllClear, $bitsAnyClear). A mask
 * is a number, a list of bit positions or binData; a value is an integral number (two's
 * complement, sign-extended) or binData (little-endian bit order, as MongoDB reads it).
 */
export type BitTest = 'allSet' | 'anySet' | 'allClear' | 'anyClear';

export function compileBitTest(operator: string, mask: unknown): (value: unknown) => boolean {
  const tests: Record<string, BitTest> = { $bitsAllSet: 'allSet', $bitsAnySet: 'anySet', $bitsAllClear: 'allClear', $bitsAnyClear: 'anyClear' };
  const test = tests[operator];
  const positions = maskPositions(operator, mask);
  return (value) => {
    const isSet = bitReader(value);
    if (isSet === undefined) return false;
    switch (test) {
      case 'allSet':
        return positions.every(isSet);
      case 'anySet':
        return positions.some(isSet);
      case 'allClear':
        return positions.every((position) => !isSet(position));
      default:
        return positions.some((position) => !isSet(position));
    }
  };
}

function maskPositions(operator: string, mask: unknown): number[] {
  if (Array.isArray(mask)) {
    return mask.map((position) => {
      const integer = isNumeric(position) ? toExactInteger(position) : undefined;
      if (integer === undefined || integer < 0n) throw badValue(`bit positions must be >= 0 but got: ${String(position)}`);
      return Number(integer);
    });
  }
  if (bsonTypeCode(mask) === BsonType.binData) {
    const positions: number[] = [];
    const isSet = bitReader(mask)!;
    for (let position = 0; position < (mask as Binary).position * 8; position++) if (isSet(position)) positions.push(position);
    return positions;
  }
  const integer = isNumeric(mask) ? toExactInteger(mask) : undefined;
  if (integer === undefined) throw badValue(`${operator} takes an Array, a number, or a BinData but received: ${String(mask)}`);
  if (integer < 0n) throw badValue(`${operator} may not take a negative number: ${String(integer)}`);
  const positions: number[] = [];
  for (let position = 0; integer >> BigInt(position) > 0n; position++) if ((integer >> BigInt(position)) & 1n) positions.push(position);
  return positions;
}

/** A bit reader for a value, or undefined when the value cannot be bit-tested (non-integral, other types). */
function bitReader(value: unknown): ((position: number) => boolean) | undefined {
  if (bsonTypeCode(value) === BsonType.binData) {
    const binary = value as Binary;
    const bytes = binary.buffer.subarray(0, binary.position);
    return (position) => position < bytes.length * 8 && ((bytes[position >> 3]! >> (position & 7)) & 1) === 1;
  }
  if (!isNumeric(value)) return undefined;
  let integer: bigint | undefined;
  if (numericWidth(value) === NumericWidth.long) integer = longToBigInt(value as Long);
  else {
    const number = toDouble(value);
    if (!Number.isInteger(number) || Math.abs(number) >= 2 ** 63) return undefined;
    integer = BigInt(number);
  }
  const bits = BigInt.asUintN(64, integer);
  // Positions past 63 read the sign bit, as two's complement sign extension would.
  return (position) => ((bits >> BigInt(Math.min(position, 63))) & 1n) === 1n;
}
