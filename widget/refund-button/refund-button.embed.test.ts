/**
 * @module Tests of `<refund-button>` inside a merchant's page as it really is: an order list whose cells have their own
 * text layout, Windows' forced colours, a list that moves its rows while a refund is in flight.
 */
import { expect, fixture, waitUntil } from '@open-wc/testing';
import { emulateMedia, executeServerCommand } from '@web/test-runner-commands';
import type { RefundSuccessEvent } from './events.ts';
import {
  $,
  $$,
  card,
  choosePartial,
  click,
  dialog,
  held,
  ko,
  openForm,
  posts,
  press,
  proxy,
  shows,
  success,
  toConfirm,
  uninstallProxy,
} from './harness.ts';
import type { RefundButton } from './refund-button.ts';

describe('<refund-button> in a merchant page', () => {
  afterEach(uninstallProxy);

  // An order list is a table whose action cell is often right-aligned and nowrap. The dialog is in the top layer but
  // inherits from the cell through the host, as every inherited property does: its labels were right-aligned,
  // indented and spaced like the cell, and a long product name and "부분 환불" ran off the dialog's edge (a
  // horizontal scrollbar in a 440 px dialog).
  it("keeps its own text layout inside a cell that sets the page's (text-align, white-space, indent, spacing)", async () => {
    proxy({ ...card, name: '반팔 티셔츠 (아주 긴 상품 이름이 들어가면 어떻게 되는지 확인해 봅니다)' });
    const cell = await fixture<HTMLElement>(
      `<div style="text-align:right;white-space:nowrap;text-indent:2em;letter-spacing:.2em">
        <refund-button lang="ko" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button>
      </div>`,
    );
    const el = cell.querySelector('refund-button') as RefundButton;
    await openForm(el);
    const style = getComputedStyle(dialog(el));
    expect(
      {
        textAlign: style.textAlign,
        whiteSpace: style.whiteSpace,
        textIndent: style.textIndent,
        letterSpacing: style.letterSpacing,
      },
      'the dialog',
    ).to.deep.equal({ textAlign: 'start', whiteSpace: 'normal', textIndent: '0px', letterSpacing: 'normal' });
    const d = dialog(el);
    expect(d.scrollWidth, 'no horizontal overflow').to.be.at.most(d.clientWidth);
  });

  // The page's button in an order list's narrow action cell, nowrap so its actions stay on one line: the host reset the
  // cell's white-space with the rest of the type, and "환불 요청" broke between its syllables, a 58 px wide, 98 px tall
  // button, where it was one line.
  it("keeps its button's label on one line in a narrow nowrap cell, as the page asks", async () => {
    proxy(card);
    const table = await fixture<HTMLElement>(
      `<table style="width:120px"><tr><td>반팔 티셔츠 (아주 긴 상품 이름이 들어가는 칸)</td>
        <td style="white-space:nowrap"><refund-button lang="ko" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button></td>
      </tr></table>`,
    );
    const el = table.querySelector('refund-button') as RefundButton;
    await el.updateComplete;
    expect($(el, '[part=button]')!.offsetHeight, 'one line: its min-height').to.equal(44);
    await openForm(el);
    expect(getComputedStyle(dialog(el)).whiteSpace, 'the dialog wraps as its own').to.equal('normal');
  });

  // A page shows the button only once the order is refundable, with the hidden attribute: the host's own display won
  // over the browser's [hidden] rule, and the button stayed on the page.
  it('is hidden by the hidden attribute, and shown again without it', async () => {
    proxy(card);
    const el = await fixture<RefundButton>(
      '<refund-button hidden lang="ko" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button>',
    );
    await el.updateComplete;
    expect(getComputedStyle(el).display).to.equal('none');
    expect($(el, 'button')!.getClientRects().length, 'its button takes no room').to.equal(0);
    el.hidden = false;
    expect(getComputedStyle(el).display).to.equal('inline-block');
    expect($(el, 'button')!.getClientRects().length).to.be.above(0);
  });

  // A shop's stylesheet sets its type on the body (a light weight, italics, capitals for English, wide word spacing):
  // the dialog set its own family, size, line-height and letter-spacing, but every other font property, word-spacing
  // and text-transform were inherited through the host: "Request a refund" came out in the shop's light, condensed,
  // italic capitals, its words an em apart. The page's button took all of it, line-height too.
  it("keeps its own type, its button's and its dialog's, on a page that sets the body's (font, line-height, spacing, text-transform)", async () => {
    const PAGE =
      "font-style:italic;font-weight:300;font-variant:small-caps;font-stretch:condensed;font-feature-settings:'smcp';" +
      'font-kerning:none;line-height:3;letter-spacing:.2em;word-spacing:1em;text-transform:uppercase';
    const look = async (style: string) => {
      proxy(card);
      const page = await fixture<HTMLElement>(
        `<div style="${style}"><refund-button lang="en" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button></div>`,
      );
      const el = page.querySelector('refund-button') as RefundButton;
      await el.updateComplete;
      // The page's own button too: it took the page's line-height (3: a 50 px button), spacing and capitals.
      const button = $(el, 'button')!;
      const pageButton = `${TYPE.map((property) => getComputedStyle(button)[property]).join(' ')} ${button.offsetHeight}px`;
      await openForm(el);
      const texts = [
        'dialog',
        '[part=title]',
        '[part=summary]',
        '[part~=label]',
        '[part=choice]',
        'form [part=submit]',
      ];
      const type = texts.map((selector) => {
        const s = getComputedStyle($(el, selector)!);
        return `${selector}: ${TYPE.map((property) => s[property]).join(' ')}`;
      });
      const height = dialog(el).offsetHeight;
      el.close();
      return { pageButton, type, height };
    };
    const own = await look('');
    expect(await look(PAGE), "the dialog on the shop's page").to.deep.equal(own);
  });

  // The dialog's colours follow the customer's prefers-color-scheme, but it declared no color-scheme, so its native
  // controls (the select's arrow and list, the radios, the scrollbar) took the page's: on a dark page (color-scheme:
  // dark) they were drawn dark on the dialog's light colours, and on a light page they stayed light on its dark ones.
  it("draws its native controls in the scheme of its own colours, whatever the page's color-scheme", async () => {
    try {
      for (const [customer, page] of [
        ['light', 'dark'],
        ['dark', 'light'],
      ] as const) {
        await emulateMedia({ colorScheme: customer });
        proxy(card);
        // light-dark() resolves by the scheme an element is drawn in: the page's own part rule shows the select's.
        const wrap = await fixture<HTMLElement>(
          `<div style="color-scheme:${page}">
            <style>refund-button::part(input) { outline-color: light-dark(#fff, #000) }</style>
            <refund-button lang="ko" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button>
          </div>`,
        );
        const el = wrap.querySelector('refund-button') as RefundButton;
        await openForm(el);
        expect(
          {
            colours: tone(getComputedStyle(dialog(el)).backgroundColor),
            controls: tone(getComputedStyle($(el, 'select')!).outlineColor),
          },
          `a ${customer}-mode customer on a ${page} page`,
        ).to.deep.equal({ colours: customer, controls: customer });
        el.close();
      }
    } finally {
      await emulateMedia({ colorScheme: 'light' });
    }
  });

  // In forced colours (Windows high contrast) backgrounds are replaced and a button is drawn only by its border: with
  // `border: 0`, "다음", "환불하기", "닫기" and "돌아가기" showed as bare words on the dialog (seen in Chromium with
  // forced-colors emulated). A transparent border is invisible otherwise and drawn in forced colours.
  it('gives every button an edge forced colours can draw', async () => {
    proxy(card);
    const el = await fixture<RefundButton>(
      '<refund-button lang="ko" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button>',
    );
    const edgeless = () =>
      $$(el, 'button')
        .filter((b) => b.getAttribute('part') !== 'close-button') // × is a glyph, not a box
        .filter((b) => {
          const s = getComputedStyle(b);
          return s.borderTopStyle === 'none' || s.borderTopWidth === '0px';
        })
        .map((b) => b.textContent!.trim());
    await openForm(el);
    expect(edgeless(), 'the page button and the form').to.deep.equal([]);
    await toConfirmFrom(el);
    expect(edgeless(), 'the confirm step').to.deep.equal([]);
  });

  // In forced colours every text is drawn in the one text colour: a field's error (red otherwise) looked just like the
  // hint above it, "Enter an amount from ₩1 to ₩9,000." like "Up to ₩9,000" (WCAG 1.4.1: told apart by colour alone).
  it("tells a field's error from its hint without colour in forced colours, in both languages", async () => {
    await executeServerCommand('forced-colors', true);
    try {
      expect(matchMedia('(forced-colors: active)').matches, 'forced colours emulated').to.be.true;
      for (const lang of ['ko', 'en']) {
        proxy(card);
        const el = await fixture<RefundButton>(
          `<refund-button lang="${lang}" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button>`,
        );
        await openForm(el);
        await choosePartial(el, '9001'); // more than is refundable
        const [hint, error] = [$(el, '#amount-hint')!, $(el, '#amount-error')!];
        expect(getComputedStyle(error).color, `${lang}: one colour for both`).to.equal(getComputedStyle(hint).color);
        // What tells them apart without colour: a weight, a style, a line, an edge, or a mark before the text.
        const look = (e: Element) => {
          const s = getComputedStyle(e);
          const before = getComputedStyle(e, '::before').content;
          return [s.fontWeight, s.fontStyle, s.textDecorationLine, s.borderInlineStartStyle, before].join(' | ');
        };
        expect(look(error), `${lang}: the error looks like the hint`).to.not.equal(look(hint));
        el.close();
      }
    } finally {
      await executeServerCommand('forced-colors', false);
    }
  });

  // A page that re-sorts its order list moves the element: it is disconnected and connected again in one task, which
  // closes the dialog and forgets the call in flight. Moved once the refund was sent (the list re-rendered a moment
  // later, as a framework does after refund-start's state change), the refund is made, but the dialog vanished under
  // the customer and the page never heard refund-success, nor refund-error, nor refund-close.
  it('still tells the page how a refund ended when the page moves the element while it is in flight', async () => {
    const pending = held();
    const { list, el } = await inList(pending.promise);
    await toConfirm(el);
    const outcomes = heard(el);
    await press(el, ko.refund);
    await shows(el, ko.submitting);
    list.querySelector('#b')!.append(el);
    pending.release(success());
    await waitUntil(() => outcomes.length > 0, 'the page heard nothing of the refund', { timeout: 2000 }).catch(
      () => {},
    );
    expect(outcomes[0], 'the first event after the move').to.equal('refund-success:9000');
  });

  // Moved by a refund-start listener itself (synchronously), the disconnect closed the dialog, the refund was sent
  // anyway (the veto check had passed), and the dialog's late `close` event then aborted it: the page heard only
  // refund-close, for a refund that was made.
  it('tells the page how a refund ended when a refund-start listener moves the element', async () => {
    const { list, el } = await inList(success());
    await toConfirm(el);
    const outcomes = heard(el);
    el.addEventListener('refund-start', () => list.querySelector('#b')!.append(el), { once: true });
    await press(el, ko.refund);
    await waitUntil(() => outcomes.length > 0, 'the page heard nothing of the refund', { timeout: 2000 });
    await new Promise((r) => setTimeout(r, 100));
    expect(posts(), 'the refund was sent').to.have.length(1);
    expect({ outcomes, open: dialog(el).open }).to.deep.equal({ outcomes: ['refund-success:9000'], open: true });
  });

  // Moved while the customer types (a list re-sorted by a poll), the dialog is shown modal again, which focuses its
  // first control (×): the customer's next keystrokes went nowhere, and a screen reader announced the dialog anew.
  it('keeps focus in the field the customer was in when the page moves the element', async () => {
    const { list, el } = await inList(success());
    await openForm(el);
    await click(el, '[name=scope][value=partial]');
    $<HTMLInputElement>(el, '[name=amount]')!.focus();
    expect(el.shadowRoot!.activeElement?.getAttribute('name'), 'focus before the move').to.equal('amount');
    list.querySelector('#b')!.append(el);
    await el.updateComplete;
    expect(dialog(el).matches(':modal')).to.be.true;
    expect(el.shadowRoot!.activeElement?.getAttribute('name'), 'focus after the move').to.equal('amount');
  });

  // A page that takes the row out as its button is clicked (to put it back once re-rendered) removes the element
  // before its dialog opens: show() then cannot open it, and the element, put back, kept a flow that was neither closed
  // nor shown, so its button did nothing ever after (it worked again before the flow outlived a disconnect).
  it('opens again once put back when the page took it out as its button was clicked', async () => {
    proxy(card);
    const row = await fixture<HTMLElement>(
      '<div><refund-button lang="ko" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button></div>',
    );
    const el = row.querySelector('refund-button') as RefundButton;
    const opening = el.show();
    el.remove();
    await opening.catch(() => {});
    await new Promise((r) => setTimeout(r, 50));
    row.append(el);
    await openForm(el);
    expect(dialog(el).matches(':modal')).to.be.true;
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

/** The inherited properties that make how a text looks, besides its family, size and colour. */
const TYPE = [
  'fontStyle',
  'fontWeight',
  'fontVariant',
  'fontStretch',
  'fontFeatureSettings',
  'fontKerning',
  'lineHeight',
  'letterSpacing',
  'wordSpacing',
  'textTransform',
] as const;

/** A `<refund-button>` in the first of two list items, on the fake proxy (card, then `answer` to the refund). */
async function inList(answer: Parameters<typeof proxy>[1]): Promise<{ list: HTMLElement; el: RefundButton }> {
  proxy(card, answer);
  const list = await fixture<HTMLElement>(
    '<ul><li><refund-button lang="ko" merchant-uid="order-1" token="grant-1" endpoint="https://proxy.test"></refund-button></li><li id="b"></li></ul>',
  );
  return { list, el: list.querySelector('refund-button') as RefundButton };
}

/** The outcome events the element fires from now on, as `type:refunded`. */
function heard(el: RefundButton): string[] {
  const outcomes: string[] = [];
  for (const type of ['refund-success', 'refund-error', 'refund-close']) {
    el.addEventListener(type, (e) => outcomes.push(`${type}:${(e as RefundSuccessEvent).detail?.refunded ?? ''}`));
  }
  return outcomes;
}

/** Continues from an open form to the confirm step (the first preset reason). */
async function toConfirmFrom(el: RefundButton): Promise<void> {
  const preset = $<HTMLSelectElement>(el, '[name=preset]')!;
  preset.value = '0';
  preset.dispatchEvent(new Event('change', { bubbles: true, composed: true }));
  await el.updateComplete;
  $<HTMLButtonElement>(el, 'form [part=submit]')!.click();
  await shows(el, ko.refund);
}
