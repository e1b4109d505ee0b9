// A receiver's token in MERCHANT_WEBHOOK_URL's query is kept out of the admin API and the staff console: the delivery
// row's `url` drops it, and so must the delivery row's `error`, which on Deno quotes the whole URL when the POST fails.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { staffCalls } from '../staff/staff-calls.ts';
import { adminCalls, json, withAdmin } from '../test-support/admin-calls.ts';
import type { Harness } from '../test-support/harness.ts';

const TOKEN = 'RECEIVER-TOKEN-123';
const URL_WITH_TOKEN = `https://merchant.example/hooks?token=${TOKEN}`;

let h: Harness;
afterEach(async () => h?.close());

describe('a failed delivery to a URL with a token in its query', () => {
  it("shows the delivery's error without the token, to the admin API and to the staff console", async () => {
    h = await withAdmin({
      allowedOrigins: ['https://desk.example'],
      // Deno's fetch names the URL it could not reach, query and all.
      outside: async (url) => {
        throw new TypeError(
          `error sending request for url (${url}): client error (Connect): tcp connect error: Connection refused (os error 111)`,
        );
      },
      config: {
        merchantWebhooks: {
          urls: [URL_WITH_TOKEN],
          secret: `whsec_${btoa('s'.repeat(32))}`,
          retryDelaysMs: [60_000],
        },
      },
    });
    h.fake.addPayment({ merchant_uid: 'TOK-1', amount: 10_000 });
    assert.equal((await h.cancel({ merchant_uid: 'TOK-1', cancel_request_amount: 1000, reason: 'x' })).res.status, 200);
    await h.settled();
    await h.outbox.runDue();

    const adminBody = await json(await adminCalls(h).admin('/admin/payments/TOK-1'));
    const [delivery] = adminBody.events[0].deliveries;
    assert.equal(delivery.status, null, 'no answer: the POST failed');
    assert.equal(delivery.url, 'https://merchant.example/hooks?…');
    assert.ok(delivery.error, 'the failure is recorded');
    assert.doesNotMatch(JSON.stringify(adminBody), new RegExp(TOKEN), 'the admin API shows no token');

    const staff = staffCalls(h);
    const grant = await staff.staffGrant('kim');
    const desk = await staff.staff('/staff/payments/TOK-1', grant, { headers: { Origin: 'https://desk.example' } });
    assert.equal(desk.status, 200);
    assert.doesNotMatch(await desk.text(), new RegExp(TOKEN), 'the staff console (a browser) shows no token');
  });
});
