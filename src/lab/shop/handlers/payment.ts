import { randomUUID } from 'node:crypto';
import { HttpError, numberField, stringField } from '../http.js';
import type { ServiceRoutes } from './serviceContext.js';

/** The Luhn checksum every real card number passes; catches typos the way a processor would. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

export const testCardNumber = '4111111111111111';

export const paymentRoutes: ServiceRoutes = () => [
  {
    method: 'POST',
    path: '/charge',
    handle: async (req) => {
      const body = await req.body();
      const amount = numberField(body, 'amount', { min: 0.01, max: 1_000_000 });
      const currency = stringField(body, 'currency', /^[A-Z]{3}$/);
      const cardNumber = body.cardNumber === undefined ? testCardNumber : stringField(body, 'cardNumber', /^\d{12,19}$/);
      if (!passesLuhn(cardNumber)) throw new HttpError(400, 'cardNumber: not a valid card number (Luhn check failed)');
      return { status: 201, json: { transactionId: randomUUID(), amount, currency, card: `****${cardNumber.slice(-4)}` } };
    },
  },
];
