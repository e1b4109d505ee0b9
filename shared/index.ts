/** @module Everything the widget and the proxy share: schemas, error codes and bank tables. No DOM, no node:*. */
export * from './errors.ts';
export * from './banks.ts';
export * from './schemas/field-rules.ts';
export * from './schemas/fields.ts';
export * from './schemas/cancel-request.ts';
export * from './schemas/refund-view.ts';
export * from './schemas/answers.ts';
