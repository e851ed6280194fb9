import { HttpError } from '../http.js';
import type { ServiceRoutes } from './serviceContext.js';

/** Units of each currency per US dollar. Fixed: the lab needs answers it can predict. */
export const ratesPerUsd: Readonly<Record<string, number>> = { USD: 1, EUR: 0.92, GBP: 0.79, JPY: 151.3, CAD: 1.36, CHF: 0.88 };

const decimals: Readonly<Record<string, number>> = { JPY: 0 };

export function convert(amount: number, from: string, to: string): number {
  const rate = ratesPerUsd[to]! / ratesPerUsd[from]!;
  const places = decimals[to] ?? 2;
  return Math.round(amount * rate * 10 ** places) / 10 ** places;
}

function currencyParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || ratesPerUsd[value] === undefined) throw new HttpError(400, `${name}: must be one of ${Object.keys(ratesPerUsd).join(', ')}`);
  return value;
}

export const currencyRoutes: ServiceRoutes = () => [
  { method: 'GET', path: '/currencies', handle: async () => ({ json: { currencies: Object.keys(ratesPerUsd) } }) },
  {
    method: 'GET',
    path: '/convert',
    handle: async (req) => {
      const from = currencyParam(req.query, 'from');
      const to = currencyParam(req.query, 'to');
      const raw = req.query.get('amount')?.trim() ?? '';
      const amount = raw === '' ? NaN : Number(raw);
      if (!Number.isFinite(amount) || amount < 0) throw new HttpError(400, 'amount: must be a number of at least 0');
      return { json: { from, to, amount, converted: convert(amount, from, to) } };
    },
  },
];
