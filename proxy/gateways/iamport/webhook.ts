/**
 * @module readIamportWebhook(): i'mport V1's notification, read. V1 webhooks are unsigned, so the body is trusted for
 * nothing but the imp_uid to re-fetch, and only one of i'mport's shape: `.`, `..`, a slash or a query never reaches
 * i'mport as a path segment.
 */
import * as v from 'valibot';
import { isJsonContentType, mediaTypeOf } from '../../http/content-type.ts';
import type { InboundWebhook, WebhookReading } from '../gateway.ts';

// i'mport's imp_uid is `imp_` and 12 digits; more alphanumerics are allowed, to 40 characters in all.
const ImpUidSchema = v.pipe(v.string(), v.trim(), v.maxLength(40), v.regex(/^imp_[0-9A-Za-z]{12,}$/));
const WebhookSchema = v.object({ imp_uid: ImpUidSchema });

const parseBody = (text: string, type: string | undefined): unknown => {
  if (mediaTypeOf(type) === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (isJsonContentType(type)) {
    try {
      return JSON.parse(text);
    } catch {
      return null;
    }
  }
  return null;
};

export const readIamportWebhook = async ({ headers, body }: InboundWebhook): Promise<WebhookReading> => {
  const parsed = v.safeParse(WebhookSchema, parseBody(body, headers['content-type']));
  if (!parsed.success) {
    return { kind: 'rejected', reason: 'malformed', message: "Expected a JSON or form body with an i'mport imp_uid." };
  }
  return { kind: 'refetch', paymentId: parsed.output.imp_uid };
};
