// Figures every benchmark prints: medians, rounded for reading.

/** The median of `values` (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** `value` with at most `digits` decimals. */
export const round = (value: number, digits = 1): number => Number(value.toFixed(digits));
