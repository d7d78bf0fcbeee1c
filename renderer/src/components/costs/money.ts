/** Money in the user's locale. Every price in the catalog is in US dollars (shared/contract/costs.catalog.ts). */

const cache = new Map<string, Intl.NumberFormat>();
function fmt(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  let f = cache.get(key);
  if (!f) cache.set(key, (f = new Intl.NumberFormat(undefined, { style: 'currency', currency: 'USD', ...options })));
  return f;
}

/** A total: cents, except that a non-zero amount under a cent keeps two significant digits rather than show $0.00. */
export function formatUsd(value: number): string {
  if (value !== 0 && Math.abs(value) < 0.01) return fmt('small', { maximumSignificantDigits: 2 }).format(value);
  return fmt('total', { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** A unit price as published: $0.0004 per 1,000 requests must not round to $0.00. */
export function formatUnitPrice(value: number): string {
  return fmt('unit', { minimumFractionDigits: 2, maximumFractionDigits: 6 }).format(value);
}

export function formatNumber(value: number, maxFractionDigits = 2): string {
  return value.toLocaleString(undefined, { maximumFractionDigits: maxFractionDigits });
}

const dateFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
/** A catalog date (YYYY-MM-DD) in the user's locale, read as a calendar day (no time zone shift). */
export function formatDay(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  return dateFmt.format(new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
}

/** A line's quantity in words: "about 1,000 requests", "about 2.5 GB", "1.2 GB kept for a month". */
export function describeQuantity(quantity: number, unit: '1,000 requests' | 'GB' | 'GB-month'): string {
  if (unit === '1,000 requests') {
    const n = Math.round(quantity * 1000);
    const words = `${n.toLocaleString()} ${n === 1 ? 'request' : 'requests'}`;
    return Number.isInteger(Math.round(quantity * 1e6) / 1e3) ? words : `about ${words}`;
  }
  const gb = formatNumber(quantity, quantity < 1 ? 4 : 2);
  return unit === 'GB' ? `about ${gb} GB` : `about ${gb} GB kept for a month`;
}

/** A unit price with its unit in words: "$0.0004 per 1,000 requests", "$0.09 per GB", "$0.023 per GB each month". */
export function describeUnitPrice(value: number, unit: '1,000 requests' | 'GB' | 'GB-month'): string {
  return `${formatUnitPrice(value)} per ${unit === 'GB-month' ? 'GB each month' : unit}`;
}
