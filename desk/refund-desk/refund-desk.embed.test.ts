/** Tests of `<refund-desk>` inside a merchant's admin page as it really is: its own text-align, Windows' forced colours. */
import { expect } from '@open-wc/testing';
import { api, desk, request } from './harness.ts';
import type { RefundDesk } from './refund-desk.ts';

afterEach(() => api?.uninstall());

describe('<refund-desk> in an admin page', () => {
  // Admin pages centre their content, or right-align a layout cell, with text-align on an ancestor: the console
  // inherited it through the host, and its headings, field labels and rows were centred or pushed to the right, each
  // line on its own edge (an order number under a reason, no column to read down).
  it('keeps its texts at their start edge in a page that centres or right-aligns, left to right and right to left', async () => {
    const el = await desk([request('a', 3), request('b', 1)]);
    const page = el.parentElement!;
    for (const [dir, align] of [
      ['ltr', 'center'],
      ['ltr', 'right'],
      ['rtl', 'center'],
      ['rtl', 'left'],
    ] as const) {
      page.dir = dir;
      page.style.textAlign = align;
      const off = offStart(el).filter((line) => !line.endsWith(' 0px'));
      expect(off, `${align} in a ${dir} page: texts away from their start edge`).to.deep.equal([]);
    }
  });
});

/** Each text the check reads (headings, labels, a row's lines) and its distance, in px, from its box's start edge. */
function offStart(el: RefundDesk): string[] {
  const rtl = getComputedStyle(el).direction === 'rtl';
  return ['h1', '[part=heading]', '[part=label]', '.row .main', '.row .reason'].flatMap((selector) =>
    [...el.shadowRoot!.querySelectorAll(selector)].map((e, i) => {
      const range = document.createRange();
      range.selectNodeContents(e);
      const [text, box] = [range.getBoundingClientRect(), e.getBoundingClientRect()];
      return `${selector} ${i}: ${Math.round(rtl ? box.right - text.right : text.left - box.left)}px`;
    }),
  );
}
