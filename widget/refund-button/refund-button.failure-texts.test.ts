/**
 * @module Tests of what `<refund-button>` tells the customer when something goes wrong, and where it sends them: an
 * unknown outcome, a PG refusal with the shop's contact, a refused or expired grant, a proxy that cannot be reached.
 */
import { expect, oneEvent } from '@open-wc/testing';
import type { RefundErrorEvent } from './events.ts';
import type { Answer } from './fake-proxy.ts';
import {
  $,
  accessible,
  buttons,
  card,
  click,
  en,
  failure,
  ko,
  mount,
  posts,
  press,
  shows,
  success,
  textOf,
  toConfirm,
  uninstallProxy,
} from './harness.ts';

/** A grant as the shop's server mints one (signature not checked here); its payload's base64url has a `-`. */
const grant = (exp: number) => {
  const payload = btoa(JSON.stringify({ sub: 'order-1??>', exp }));
  return `eyJhbGciOiJIUzI1NiJ9.${payload.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}.c2ln`;
};

/** Runs `body` with console.error recorded instead of printed. */
const recordingErrors = async (body: (errors: unknown[][]) => Promise<void>) => {
  const errors: unknown[][] = [];
  const real = console.error;
  console.error = (...args: unknown[]) => errors.push(args);
  try {
    await body(errors);
  } finally {
    console.error = real;
  }
};

describe('<refund-button>', () => {
  afterEach(uninstallProxy);

  describe('an outcome that is not known yet', () => {
    it('says so without claiming nothing was refunded, and checks again under the same key', async () => {
      expect(ko.REFUND_OUTCOME_UNKNOWN).to.equal(
        "환불 결과를 아직 확인하지 못했어요. 중복 환불은 되지 않으니 잠시 후 '다시 확인'을 눌러 주세요.",
      );
      const el = await mount('lang="ko"', card, failure('REFUND_OUTCOME_UNKNOWN'), success());
      await toConfirm(el);
      await press(el, ko.refund);
      await shows(el, ko.REFUND_OUTCOME_UNKNOWN);
      expect(buttons(el)).to.include('다시 확인').and.not.include(ko.retry);
      expect(textOf(el)).to.not.include('환불하지 못했어요');
      await accessible(el);
      await press(el, '다시 확인');
      await shows(el, ko.done);
      const [first, second] = posts().map((p) => p.headers.get('Idempotency-Key'));
      expect(second).to.equal(first);
    });

    /** Answers to a refund sent that are not the proxy's own, each with the code the page's event carries. */
    const unanswered: [string, Answer[], string][] = [
      ['no answer, twice (the automatic retry too)', ['network', 'network'], 'NETWORK'],
      ["a front server's 503 page", [new Response('<h1>503</h1>', { status: 503 })], 'UPSTREAM_UNAVAILABLE'],
      ["a front server's 502 page", [new Response('Bad Gateway', { status: 502 })], 'INTERNAL'],
      ['a 200 cut short', [new Response('{"ok":tr', { status: 200 })], 'INTERNAL'],
    ];
    for (const [what, answers, code] of unanswered) {
      it(`says the same, with a neutral mark, after ${what}`, async () => {
        await recordingErrors(async () => {
          const el = await mount('lang="ko"', card, ...answers, success());
          await toConfirm(el);
          const error = oneEvent(el, 'refund-error');
          await press(el, ko.refund);
          expect(((await error) as RefundErrorEvent).detail.code).to.equal(code);
          await shows(el, ko.REFUND_OUTCOME_UNKNOWN);
          for (const claim of [ko.NETWORK, ko.UPSTREAM_UNAVAILABLE, ko.INTERNAL])
            expect(textOf(el)).to.not.include(claim);
          expect($(el, '[part=mark]')!.classList.contains('bad')).to.equal(false);
          expect(buttons(el)).to.include('다시 확인').and.not.include(ko.retry);
          await accessible(el);
          await press(el, '다시 확인');
          await shows(el, ko.done);
          expect(new Set(posts().map((p) => p.headers.get('Idempotency-Key'))).size).to.equal(1);
        });
      });
    }

    it("still tells what a front server's 4xx page stands for: the request never reached the proxy", async () => {
      const el = await mount('lang="en"', card, new Response('<h1>413</h1>', { status: 413 }));
      await toConfirm(el);
      await press(el, en.refund);
      await shows(el, en.PAYLOAD_TOO_LARGE);
      expect(textOf(el)).to.not.include(en.REFUND_OUTCOME_UNKNOWN);
      expect($(el, '[part=mark]')!.classList.contains('bad')).to.equal(true);
    });

    it('says it in English too', async () => {
      const el = await mount('lang="en"', card, failure('REFUND_OUTCOME_UNKNOWN'));
      await toConfirm(el);
      await press(el, en.refund);
      await shows(el, "We couldn't confirm the refund yet. You won't be refunded twice; check again in a moment.");
      expect(buttons(el)).to.include('Check again');
      expect(textOf(el)).to.not.include('nothing was refunded');
    });
  });

  describe("a PG's refusal", () => {
    const raw = '결제취소에 실패하였습니다.(해당거래 취소실패(잔액부족))';

    it("never shows i'mport's text, which stays in the event for the page's developer", async () => {
      for (const lang of ['ko', 'en'] as const) {
        const el = await mount(`lang="${lang}"`, card, failure('PG_PROVIDER', raw));
        const s = lang === 'ko' ? ko : en;
        await toConfirm(el);
        const error = oneEvent(el, 'refund-error');
        await press(el, s.refund);
        expect(((await error) as RefundErrorEvent).detail).to.deep.equal({ code: 'PG_PROVIDER', message: raw });
        await shows(el, s.PG_PROVIDER);
        expect(textOf(el)).to.not.include('잔액부족');
        expect(s.PG_PROVIDER).to.include(lang === 'ko' ? '상점에 문의해 주세요' : 'contact the shop');
        expect($(el, '[part=link]')).to.be.null; // no contact given: the text alone says whom to ask
      }
    });

    it("gives the shop's contact with every text that says to ask the shop", async () => {
      const codes = [
        'MAX_CANCEL_COUNT_REACHED',
        'CANCEL_TAX_FREE_AMOUNT_EXCEEDS_CANCELLABLE_TAX_FREE_AMOUNT',
        'CANCEL_TAX_AMOUNT_EXCEEDS_CANCELLABLE_TAX_AMOUNT',
        'SUM_OF_PARTS_EXCEEDS_CANCEL_AMOUNT',
        'REFUND_REQUEST_NOT_ALLOWED',
      ] as const;
      for (const code of codes) {
        const el = await mount('lang="ko" contact="02-1234-5678"', card, failure(code));
        await toConfirm(el);
        await press(el, ko.refund);
        await shows(el, ko[code]);
        expect(ko[code], code).to.include('상점에 문의해 주세요');
        expect($<HTMLAnchorElement>(el, '[part=link]')?.getAttribute('href'), code).to.equal('tel:0212345678');
      }
    });

    const contacts: [string, string | null][] = [
      ['02-1234-5678', 'tel:0212345678'],
      ['+82 2 1234 5678', 'tel:+82212345678'],
      ['help@shop.example', 'mailto:help@shop.example'],
      ['https://shop.example/help?q=refund', 'https://shop.example/help?q=refund'],
      ['javascript:alert(1)', null],
      ['http://shop.example/help', null],
      ['data:text/html,hi', null],
      ['카카오톡 채널 @shop', null],
    ];
    for (const [contact, href] of contacts) {
      it(`shows the contact "${contact}" ${href ? `as a link to ${href}` : 'as text, never as a link'}`, async () => {
        const el = await mount(`lang="ko" contact="${contact}"`, card, failure('PG_PROVIDER', raw));
        await toConfirm(el);
        await press(el, ko.refund);
        await shows(el, ko.PG_PROVIDER);
        expect(textOf(el)).to.include(contact);
        const link = $<HTMLAnchorElement>(el, '[part=link]');
        if (href) {
          expect(link!.getAttribute('href')).to.equal(href);
          expect(link!.textContent).to.equal(contact);
          await accessible(el);
        } else {
          expect(link).to.be.null;
        }
      });
    }
  });

  describe('a grant the proxy refuses', () => {
    it('asks for a reload when the grant has expired by the browser clock', async () => {
      const el = await mount(`lang="ko" token="${grant(1)}" contact="02-1234-5678"`, failure('UNAUTHORIZED', 'exp'));
      const error = oneEvent(el, 'refund-error');
      await click(el, '[part=button]');
      expect(((await error) as RefundErrorEvent).detail).to.deep.equal({ code: 'UNAUTHORIZED', message: 'exp' });
      await shows(el, '이 화면이 오래되었어요. 새로고침해 주세요.');
      expect(textOf(el)).to.not.include(ko.UNAUTHORIZED);
      expect($(el, '[part=link]')).to.be.null; // a reload is what helps
    });

    it('says refunds cannot be made here, with the contact, when the grant is not expired or not a grant', async () => {
      for (const token of [grant(4_102_444_800), 'not-a-jwt', 'a.%%%.b', `x.${btoa('null')}.y`]) {
        const el = await mount(`lang="en" token="${token}" contact="help@shop.example"`, failure('UNAUTHORIZED'));
        await click(el, '[part=button]');
        await shows(el, "Refunds can't be made here right now. Please contact the shop.");
        expect($<HTMLAnchorElement>(el, '[part=link]')!.getAttribute('href')).to.equal('mailto:help@shop.example');
      }
      expect(en.expired).to.equal('This page is out of date. Please reload it.');
      expect(ko.UNAUTHORIZED).to.equal('지금은 환불을 진행할 수 없어요. 상점에 문의해 주세요.');
    });
  });

  describe('a proxy that does not answer', () => {
    it("says the shop's refund service could not be reached, or a refund's outcome is not known, and tells the developer once why", async () => {
      await recordingErrors(async (errors) => {
        const el = await mount('lang="ko"', ['network', card], 'network', 'network', 'network', 'network');
        const error = oneEvent(el, 'refund-error');
        await click(el, '[part=button]');
        expect(((await error) as RefundErrorEvent).detail.code).to.equal('NETWORK');
        await shows(el, ko.NETWORK);
        expect(ko.NETWORK).to.include('환불 서비스에 연결하지 못했어요');
        expect(textOf(el)).to.not.include('인터넷');
        await press(el, ko.retry);
        await toConfirm(el); // the form loaded on the retry
        await press(el, ko.refund); // no answer, then no answer to the automatic retry
        await shows(el, ko.REFUND_OUTCOME_UNKNOWN); // it was sent: it may have been made
        await press(el, ko.checkAgain);
        await shows(el, ko.REFUND_OUTCOME_UNKNOWN);
        expect(posts()).to.have.length(4); // two tries, each retried once on its own
        expect(errors).to.have.length(1); // one per element, not one per attempt
        const said = String(errors[0]![0]);
        for (const part of [location.origin, 'https://proxy.test', 'ALLOWED_ORIGINS']) expect(said).to.include(part);
      });
    });

    it('asks to check the internet connection only when the browser is offline', async () => {
      Object.defineProperty(navigator, 'onLine', { value: false, configurable: true });
      try {
        await recordingErrors(async (errors) => {
          const el = await mount('lang="en"', 'network');
          await click(el, '[part=button]');
          await shows(el, 'Please check your connection.');
          expect(textOf(el)).to.not.include(en.NETWORK);
          expect(errors).to.have.length(0); // the page's setup is not what failed
        });
      } finally {
        delete (navigator as { onLine?: boolean }).onLine; // uncovers Navigator.prototype.onLine again
      }
      expect(navigator.onLine).to.be.a('boolean');
    });
  });
});
