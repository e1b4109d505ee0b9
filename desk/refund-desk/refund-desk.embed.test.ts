/** Tests of `<refund-desk>` inside a merchant's admin page as it really is: its own text-align, Windows' forced colours. */
import { expect } from '@open-wc/testing';
import { executeServerCommand } from '@web/test-runner-commands';
import { $$, api, click, desk, refund, request } from './harness.ts';
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

  // In forced colours (Windows high contrast) every border takes the one text colour, the other tab's transparent
  // underline too: both tabs were underlined alike and told apart by weight alone, so which screen was shown was
  // hard to see (WCAG 1.4.1). The current tab is underlined in Highlight there, and no other tab is.
  it('underlines only the current tab, in Highlight, in forced colours', async () => {
    const el = await desk([request('a', 3)], [refund('r1')]);
    await executeServerCommand('forced-colors', true);
    try {
      expect(matchMedia('(forced-colors: active)').matches, 'forced colours emulated').to.be.true;
      const [highlight, canvas] = [systemColour('Highlight'), systemColour('Canvas')];
      expect(highlight, 'Highlight is not the background').to.not.equal(canvas);
      const underlines = () =>
        $$(el, '[part=tab]').map((tab) => {
          const s = getComputedStyle(tab);
          const drawn =
            s.borderBottomStyle !== 'none' && s.borderBottomWidth !== '0px' && s.borderBottomColor !== canvas;
          const line = !drawn ? 'none' : s.borderBottomColor === highlight ? 'Highlight' : s.borderBottomColor;
          return `${tab.textContent!.trim()}${tab.getAttribute('aria-current') === 'page' ? ' (current)' : ''}: ${line}`;
        });
      expect(underlines(), 'the queue').to.deep.equal(['환불 요청 (current): Highlight', '환불 내역: none']);
      await click(el, '환불 내역');
      expect(underlines(), 'the refunds').to.deep.equal(['환불 요청: none', '환불 내역 (current): Highlight']);
      await expect(el).to.be.accessible();
    } finally {
      await executeServerCommand('forced-colors', false);
    }
  });
});

/** A system colour as the page resolves it (in forced colours: the user's). */
function systemColour(name: string): string {
  const probe = document.body.appendChild(document.createElement('span'));
  probe.style.color = name;
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}

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
