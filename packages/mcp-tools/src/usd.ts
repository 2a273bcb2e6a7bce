/**
 * Rounds an amount of US dollars to a billionth: costs are differences and sums of the CLI's
 * floating-point totals, and without this a client is shown 0.00028000000000000003.
 *
 * @example
 * ```ts
 * roundUsd(0.00058 - 0.0003); // 0.00028
 * ```
 */
export function roundUsd(amount: number): number {
  return Math.round(amount * 1e9) / 1e9;
}
