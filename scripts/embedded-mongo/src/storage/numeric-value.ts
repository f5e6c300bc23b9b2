/**
 * A JS number from a value decoded with `promoteValues: false` (Int32, Double, Long, Decimal128
 * or a plain number), for command arguments such as limits and batch sizes. NaN when not numeric.
 */
export function numberOf(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value !== null && typeof value === 'object') {
    const v = value as { _bsontype?: string; toNumber?: () => number; valueOf(): unknown; toString(): string };
    if (v._bsontype === 'Long' && v.toNumber) return v.toNumber();
    if (v._bsontype === 'Int32' || v._bsontype === 'Double') return Number(v.valueOf());
    if (v._bsontype === 'Decimal128') return Number(v.toString());
  }
  return Number.NaN;
}

export function isNumberValue(value: unknown): boolean {
  return !Number.isNaN(numberOf(value)) || (typeof value === 'number' && Number.isNaN(value));
}
