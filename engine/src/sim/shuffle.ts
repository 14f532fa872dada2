/** The items in a fixed pseudo-random order for `seed` (Fisher-Yates with a small LCG): reproducible input orders for benches and tests. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const a = items.slice();
  let s = seed >>> 0 || 1;
  for (let i = a.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    const t = a[i] as T;
    a[i] = a[j] as T;
    a[j] = t;
  }
  return a;
}
