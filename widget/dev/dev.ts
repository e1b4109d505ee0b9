/** @module The dev page: one `<refund-button>` per scenario of the fake proxy, and links that jump to each step. */
import { ERROR_CODES } from '../../shared/errors.ts';
import '../index.ts';
import type { RefundButton } from '../refund-button/refund-button.ts';
import { FAKE_ENDPOINT, installScenarios, type Outcome, SCENARIOS } from './scenarios.ts';

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T; // ids from index.html

const outcomeSelect = byId<HTMLSelectElement>('outcome');
for (const outcome of ['success', 'pending', 'network', ...ERROR_CODES]) outcomeSelect.add(new Option(outcome));
installScenarios(() => outcomeSelect.value as Outcome); // options are Outcome values

const langSelect = byId<HTMLSelectElement>('lang');
langSelect.value = document.documentElement.lang;
langSelect.addEventListener('change', () => (document.documentElement.lang = langSelect.value));

const STEPS = ['form', 'confirm', 'done'] as const;

function card(id: string, label: string, attrs: Record<string, string> = {}, className = ''): void {
  const article = document.createElement('article');
  article.className = className;
  article.innerHTML = `<h2></h2><code></code><div></div><nav></nav>`;
  article.querySelector('h2')!.textContent = label;
  const button = document.createElement('refund-button');
  button.id = `rb-${id}${className && `-${className}`}`;
  const all = { 'merchant-uid': id, token: 'dev-grant', endpoint: FAKE_ENDPOINT, ...attrs };
  for (const [name, value] of Object.entries(all)) button.setAttribute(name, value);
  article.querySelector('code')!.textContent =
    Object.entries(attrs)
      .map(([k, v]) => `${k}="${v}"`)
      .join(' ') || id;
  article.querySelector('div')!.append(button);
  for (const step of STEPS) {
    const link = document.createElement('a');
    link.href = `?open=${encodeURIComponent(button.id)}&step=${step}`;
    link.textContent = step;
    link.addEventListener('click', (e) => {
      e.preventDefault();
      void goTo(button, step);
    });
    article.querySelector('nav')!.append(link);
  }
  byId('cards').append(article);
}

for (const [id, { label }] of Object.entries(SCENARIOS)) card(id, label);
// A JWT-shaped grant whose exp (1970) has passed: the widget asks for a reload instead of sending to the shop.
const expired = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsb2FkLVVOQVVUSE9SSVpFRCIsImV4cCI6MX0.ZGV2';
card('load-UNAUTHORIZED', 'Load fails: grant expired', { token: expired }, 'expired');
card('card', 'With a contact (try PG_PROVIDER, UNAUTHORIZED)', { contact: '02-1234-5678' }, 'contact');
card('phone-old', 'Not refundable, with a contact', { contact: 'https://shop.example/help' }, 'contact');
card('vbank-kiwoom', "The shop's own payout time", { 'payout-days': '1-2' }, 'payout');
card('card', 'Fixed partial amount', { amount: '15000' }, 'fixed');
card('card', 'Own reasons', { reasons: '사이즈 교환|색상이 달라요|중복 주문' }, 'reasons');
card('card', 'Themed (custom properties, ::part)', { label: '환불하기' }, 'themed');
card('card', 'Disabled', { disabled: '' }, 'disabled');

const wait = (test: () => unknown, ms = 8000) =>
  new Promise<void>((resolve, reject) => {
    const start = Date.now();
    const tick = () =>
      test() ? resolve() : Date.now() - start > ms ? reject(new Error('timed out')) : setTimeout(tick, 50);
    tick();
  });

/** Opens a button and fills its form with sample values until `step` is showing. */
async function goTo(el: RefundButton, step: (typeof STEPS)[number]): Promise<void> {
  const root = el.shadowRoot!;
  if (!root.querySelector('dialog')?.open) await el.show();
  // Loaded: the form, why there is none, or where the order's refund request stands; each has a row of buttons.
  await wait(() => root.querySelector('[part=actions]'));
  if (step === 'form' || !root.querySelector('form')) return;
  const set = (name: string, value: string) => {
    const control = root.querySelector<HTMLInputElement>(`[name=${name}]`);
    if (!control) return;
    control.value = value;
    control.dispatchEvent(new Event('change', { bubbles: true }));
  };
  set('preset', '0');
  set('holder', '홍길동');
  set('bank', '088');
  set('account', '110-123-458400');
  set('phone', '010-1234-5678');
  await el.updateComplete;
  root.querySelector<HTMLButtonElement>('form [part=submit]')!.click();
  await wait(() => !root.querySelector('form'));
  if (step === 'confirm') return;
  [...root.querySelectorAll('button')].at(-1)!.click(); // the primary button is last
  await wait(() => root.querySelector('[part=mark]'));
}

const log = byId('log');
const EVENTS = [
  'refund-open',
  'refund-start',
  'refund-success',
  'refund-error',
  'refund-close',
  'refund-requested',
  'refund-request-withdrawn',
] as const;
for (const name of EVENTS) {
  document.addEventListener(name, (e) => {
    const id = (e.target as HTMLElement).id; // the page's own buttons, which have ids
    log.prepend(`${new Date().toLocaleTimeString()} ${id} ${name} ${JSON.stringify(e.detail)}\n`);
  });
}

// ?open=<button id>&step=form|confirm|done opens a button at a step (the screenshots use it).
const params = new URLSearchParams(location.search);
const target = params.get('open') && document.getElementById(params.get('open')!);
if (params.get('outcome')) outcomeSelect.value = params.get('outcome')!;
if (params.get('lang')) document.documentElement.lang = langSelect.value = params.get('lang')!;
const step = (params.get('step') ?? 'form') as (typeof STEPS)[number]; // the page's links write one of STEPS
if (target) void customElements.whenDefined('refund-button').then(() => goTo(target as RefundButton, step));
