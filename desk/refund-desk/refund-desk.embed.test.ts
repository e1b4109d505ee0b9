/** Tests of `<refund-desk>` inside a merchant's admin page as it really is: its own text-align, Windows' forced colours. */
import { expect, waitUntil } from '@open-wc/testing';
import { emulateMedia, executeServerCommand } from '@web/test-runner-commands';
import { $, $$, api, click, desk, gets, posts, refund, request, type, until } from './harness.ts';
import type { RefundDesk } from './refund-desk.ts';

afterEach(() => api?.uninstall());

const frame = () => new Promise((resolve) => setTimeout(resolve, 100)); // the answer read and rendered
const statusLine = (el: HTMLElement) => el.shadowRoot!.querySelector('[part=status-line]')!.textContent!.trim();

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

  // An admin page sets its type on the body (a light weight, italics, small capitals, wide spacing, a tall line): the
  // console set its family, size and line-height, and inherited the rest through the host.
  it("keeps its own type in an admin page that sets the body's (font, spacing, capitals, indent, wrapping)", async () => {
    const PAGE =
      "font-style:italic;font-weight:300;font-variant:small-caps;font-stretch:condensed;font-feature-settings:'smcp';" +
      'line-height:3;letter-spacing:.2em;word-spacing:1em;text-transform:uppercase;text-indent:2em;white-space:nowrap';
    const look = async (style: string) => {
      const el = await desk([request('a', 3), request('b', 1)], [], { lang: 'en' });
      el.parentElement!.setAttribute('style', `${el.parentElement!.getAttribute('style')};${style}`);
      return ['h1', 'nav button', '[part=label]', '.row .main', '.row .reason'].map((selector) => {
        const s = getComputedStyle($(el, selector)!);
        return `${selector}: ${TYPE.map((property) => s[property]).join(' ')}`;
      });
    };
    const own = await look('');
    expect(await look(PAGE)).to.deep.equal(own);
  });

  // An admin page that shows the console only to staff who may decide, with the hidden attribute: the host's own
  // display won over the browser's [hidden] rule, and the console stayed on the page.
  it('is hidden by the hidden attribute, and shown again without it', async () => {
    const el = await desk([request('a', 3)]);
    el.hidden = true;
    expect(getComputedStyle(el).display).to.equal('none');
    expect(el.getClientRects().length, 'it takes no room').to.equal(0);
    el.hidden = false;
    expect(getComputedStyle(el).display).to.equal('block');
  });

  // The console's colours follow the staff member's prefers-color-scheme, but it declared no color-scheme, so its
  // native controls (the date fields' calendar button, the selects, the checkbox, the scrollbars) took the page's:
  // on an admin page without one (most), a dark-mode staff member got them drawn for a light page on the console's
  // dark colours (the calendar button black on near-black), and on a dark page a light-mode one the other way round.
  it("draws its native controls in the scheme of its own colours, whatever the page's color-scheme", async () => {
    try {
      for (const [staff, page] of [
        ['dark', 'normal'],
        ['light', 'dark'],
      ] as const) {
        await emulateMedia({ colorScheme: staff });
        const el = await desk([request('a', 3)]);
        el.parentElement!.style.colorScheme = page;
        // light-dark() resolves by the scheme an element is drawn in: a page's own part rule shows the fields'.
        const rule = document.head.appendChild(document.createElement('style'));
        rule.textContent = 'refund-desk::part(input) { outline-color: light-dark(#fff, #000) }';
        try {
          expect(
            {
              colours: tone(getComputedStyle(el).backgroundColor),
              controls: tone(getComputedStyle($(el, 'input[name=from]')!).outlineColor),
            },
            `a ${staff}-mode staff member on a page with color-scheme: ${page}`,
          ).to.deep.equal({ colours: staff, controls: staff });
        } finally {
          rule.remove();
        }
      }
    } finally {
      await emulateMedia({ colorScheme: 'light' });
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

/** Whether an `rgb()` colour is light or dark. */
const tone = (rgb: string): 'light' | 'dark' =>
  rgb
    .match(/\d+/g)!
    .slice(0, 3)
    .reduce((sum, c) => sum + Number(c), 0) > 384
    ? 'light'
    : 'dark';

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

/** The inherited properties of a text's type and layout that an admin page's body sets. */
const TYPE = [
  'fontStyle',
  'fontWeight',
  'fontVariant',
  'fontStretch',
  'fontFeatureSettings',
  'lineHeight',
  'letterSpacing',
  'wordSpacing',
  'textTransform',
  'textIndent',
  'whiteSpace',
] as const;

describe('<refund-desk> for the keyboard, screen readers and small screens', () => {
  it('announces an outcome said again (a retry that failed the same way)', async () => {
    const el = await desk([request('a', 3)]);
    api.offline = true;
    $<HTMLButtonElement>(el, '.filters button[type=submit]')!.click();
    await until(el, '서버에 연결할 수 없어요.');
    await el.updateComplete;
    const line = $(el, '[part=status-line]')!;
    const changes: MutationRecord[] = [];
    const observer = new MutationObserver((records) => changes.push(...records));
    observer.observe(line, { childList: true, subtree: true, characterData: true });
    $<HTMLButtonElement>(el, '.filters button[type=submit]')!.click(); // tried again: same failure
    await waitUntil(() => gets('/staff/refund-requests').length >= 4);
    await frame();
    await el.updateComplete;
    observer.disconnect();
    expect(statusLine(el)).to.equal('서버에 연결할 수 없어요.');
    expect(changes.length, 'the live region changed, so it is spoken again').to.be.above(0);
  });

  it('a dollar amount can be typed with cents on a phone keyboard (inputmode)', async () => {
    const el = await desk([request('a', 3, { merchant_uid: 'usd-a', amount: 10.1, currency: 'USD' })], [], {
      width: 360,
    });
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    await click(el, '승인');
    expect($<HTMLInputElement>(el, '#approve-amount')!.inputMode, 'numeric has no decimal point').to.equal('decimal');
  });

  it('fits the approve steps and the order screen in 360 px, axe clean', async () => {
    const el = await desk(
      [request('a', 3, { merchant_uid: 'ORDER20260611000000000000000000000000000001' })],
      [refund('r1')],
      {
        width: 360,
      },
    );
    const fits = (where: string) => {
      for (const node of [el, ...$$(el, '*')])
        expect(node.scrollWidth, `${where}: ${node.tagName}.${node.className}`).to.be.at.most(
          node.clientWidth || node.scrollWidth,
        );
    };
    await click(el, '열기');
    await until(el, '환불 가능 금액');
    await click(el, '승인');
    fits('approve form');
    await type(el, '#approve-amount', '99999999');
    await click(el, '승인');
    fits('approve error');
    await expect(el).to.be.accessible();
    await type(el, '#approve-amount', '45000');
    await click(el, '승인');
    fits('confirm');
    await click(el, '환불 내역');
    await until(el, 'order-r1');
    await click(el, 'order-r1');
    await until(el, '웹훅 전송');
    fits('order');
    expect(posts()).to.have.length(0);
  });
});
