// Small numeric helpers shared by the benchmarks.

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Rounds for display: 3 significant digits, no exponent. */
export const fmt = (x, digits = 3) => (Number.isFinite(x) ? Number(x.toPrecision(digits)).toString() : String(x));
export const ratio = (x) => `${x.toFixed(2)}×`;
export const kb = (bytes) => `${(bytes / 1000).toFixed(2)} kB`;
