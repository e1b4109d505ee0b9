/**
 * @module Prints a new MERCHANT_WEBHOOK_SECRET: `whsec_` + base64 of 32 random bytes (Standard Webhooks' form; the
 * proxy takes 24 bytes or more). Give the same value to the receiver's `standardwebhooks` library.
 */
import { randomBytes } from 'node:crypto';

console.log(`whsec_${randomBytes(32).toString('base64')}`);
