/**
 * @module Fails when a built file is over its gzip budget, or when the customer's widget holds any of the staff
 * console's code (run `npm run size`, or `vite build && vite build --mode desk` first).
 * Usage: node scripts/check-widget-size.mjs [file]. Measured like `gzip -9 | wc -c`.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { gzipSync } from 'node:zlib';

// Lit's own element class (LitElement, reactive properties, updates) is about 6 KB of each; the element is the rest.
// refund-button.js: 18 KB since issue 12, whose truthful states (an unknown outcome, payout times, the shop's contact, a
// refused or expired grant, an unreachable proxy) and their texts in two languages came to about 800 bytes; 19 KB
// since issue 14's request mode (a request instead of a refund, its six states, withdrawing it, asking again), about
// 1.4 KB with its texts in two languages, which left 456 bytes no room. 19 KB + 640 since issue 15: the account-holder
// check (checking the account as it is typed, "확인됨 / Verified", a mismatch under the holder field), about 490 bytes
// with its two texts, and PortOne V2's refusals (MAX_CANCEL_COUNT_REACHED and the three tax-split codes), about 105
// bytes for their names in the shared error table (their texts reuse PG_PROVIDER's "ask the shop"), and a refund V2
// accepted to finish later ("환불이 접수되었어요 / Refund accepted", not "complete"), about 85, against 54 left.
// 19 KB + 672 since a refunded request shows what staff approved (it may be less than was asked): 14 bytes over 640.
// 19 KB + 928 since a refund or request sent with no answer of the proxy's own is shown as not known yet (a text for
// the request in two languages, a neutral mark), an approval for less shows its amount, and every "ask the shop" text
// carries the contact: about 260 bytes; a holder mismatch announced as an alert, 20 more.
// 19 KB + 992 since a customer audit's fixes: an amount attribute that cannot be read is refused (it offered a refund
// in full), a typed amount is read as digits only (0x3e8 was 1,000; full-width digits were refused), refund-start
// once a refund, and no "request again" with nothing left: 55 bytes, against 5 left. 19 KB + 1,024 since a refund
// carries the balance its dialog showed as its checksum (a second tab's refund, or one made in the console, is then
// refused with the fresh figures instead of refunded again; a revocation too): 18 bytes, against 9 left; and the
// payment it showed (imp_uid, read from the view and sent back), 13 more. 20 KB + 64 since a withdrawal with no
// answer reads the request again instead of saying the service was not reached (it may have been withdrawn), a
// withdrawn request on a barred order says no new request can be made and whom to ask, and a fixed amount with a
// fraction of a won is no longer called "more than refundable": 27 bytes, against 11 left. 20 KB + 128 since an
// embedding audit: the dialog keeps its own text layout inside a page's right-aligned, nowrap cell (labels were cut
// off), its buttons have an edge forced colours draw, and an element the page moves keeps its dialog and the refund in
// flight, so the page hears how it ended: 40 bytes, against none left; and a button the page takes out as it is
// clicked opens again once put back: 20 more. 20 KB + 320 since a widget review and a grant's tax-free floor: a check
// again sends the very body first sent under its key (a language switch made it another, refused as a key reused), a
// Retry-After wait ends with its dialog, request mode says an unreachable ledger as not known, the grant's least
// refund (grant_minimum) is asked for, a page's new grant reads the order again, focus stays in a dialog a reload
// blocks, an order nothing was paid for shows no "paid", and text with nothing visible is refused: 139 bytes over.
// refund-desk.js: 25 KB for the staff console (issue 14): four screens, two languages, and valibot's readers of the
// staff API. Measured sizes: docs/BENCHMARKS.md.
const BUDGETS = { 'refund-button.js': 20 * 1024 + 320, 'refund-desk.js': 25 * 1024 };

/** Text only the console has: a desk string in the customer's bundle means the builds got mixed up. */
const DESK_ONLY = ['refund-desk', '/staff/', '다시 요청할 수 있게 하기', 'Allow a new request'];

const files = process.argv[2] ? [process.argv[2]] : ['dist/refund-button.js', 'dist/refund-desk.js'];
const kb = (bytes) => `${(bytes / 1024).toFixed(2)} KB`;
let failed = false;
for (const file of files) {
  const budget = BUDGETS[basename(file)] ?? BUDGETS['refund-button.js'];
  let source;
  try {
    source = readFileSync(file);
  } catch {
    console.error(`${file} not found: build it first (npx vite build; npx vite build --mode desk).`);
    process.exit(1);
  }
  const gzipped = gzipSync(source, { level: 9 }).length;
  const line = `${file}: ${kb(source.length)} raw, ${kb(gzipped)} gzipped (${gzipped} bytes); budget ${kb(budget)}`;
  if (gzipped > budget) {
    console.error(`${line}\nOver budget by ${gzipped - budget} bytes.`);
    failed = true;
  } else {
    console.log(`${line} (${budget - gzipped} bytes under)`);
  }
  if (basename(file) === 'refund-button.js') {
    const text = source.toString('utf8');
    const found = DESK_ONLY.filter((s) => text.includes(s));
    if (found.length) {
      console.error(`${file} holds the staff console's code (${found.join(', ')}): it must stay in refund-desk.js.`);
      failed = true;
    }
  }
}
if (failed) process.exit(1);
