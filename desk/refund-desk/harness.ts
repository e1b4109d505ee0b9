/** @module What the console's tests share: the element rendered against the fake staff API, and finders in its shadow root. */
import { fixture, html, waitUntil } from '@open-wc/testing';
import '../index.ts';
import type { RefundRow, RequestRow } from './api.ts';
import { ENDPOINT, type FakeStaffApi, installFakeStaffApi } from './fake-staff-api.ts';
import type { RefundDesk } from './refund-desk.ts';

export { failure, order, refund, request } from './fake-staff-api.ts';

export let api: FakeStaffApi;

/** Renders `<refund-desk>` (ko unless told) in a box `width` px wide, and waits for the queue. */
export async function desk(
  requests: RequestRow[],
  refunds: RefundRow[] = [],
  { lang = 'ko', width = 800, token = 'staff-grant' }: { lang?: string; width?: number; token?: string } = {},
): Promise<RefundDesk> {
  api?.uninstall();
  api = installFakeStaffApi(requests, refunds);
  const box = await fixture<HTMLDivElement>(
    html`<div style="width:${width}px"><refund-desk endpoint=${ENDPOINT} token=${token} lang=${lang}></refund-desk></div>`,
  );
  const el = box.querySelector('refund-desk')!;
  await waitUntil(
    () => api.calls.length > 0 && !el.shadowRoot!.textContent!.includes(lang === 'ko' ? '불러오는 중' : 'Loading'),
  );
  // After the queue, the desk asks whether a failed request waits (one row): a test's calls come after that one.
  if (token === 'staff-grant')
    await waitUntil(() => api.calls.some((c) => c.url.searchParams.get('status') === 'failed'));
  await el.updateComplete;
  return el;
}

export const $ = <T extends Element = HTMLElement>(el: RefundDesk, selector: string): T | null =>
  el.shadowRoot!.querySelector<T>(selector);
export const $$ = (el: RefundDesk, selector: string): HTMLElement[] => [
  ...el.shadowRoot!.querySelectorAll<HTMLElement>(selector),
];
export const text = (el: RefundDesk): string => el.shadowRoot!.textContent!.replace(/\s+/g, ' ');

/** Clicks the button whose text is `label` (trimmed), throwing if there is none. */
export async function click(el: RefundDesk, label: string): Promise<void> {
  const button = $$(el, 'button').find(
    (b) => b.textContent!.trim() === label || b.textContent!.trim() === `← ${label}`,
  );
  if (!button) throw new Error(`no button "${label}" in: ${text(el)}`);
  button.click();
  await el.updateComplete;
}

export async function type(el: RefundDesk, selector: string, value: string, event = 'input'): Promise<void> {
  const input = $<HTMLInputElement>(el, selector)!;
  input.value = value;
  input.dispatchEvent(new Event(event, { bubbles: true }));
  await el.updateComplete;
}

/** Waits until the shadow root's text contains `what`. */
export const until = (el: RefundDesk, what: string) =>
  waitUntil(() => text(el).includes(what), `"${what}" never appeared in: ${text(el)}`);

export const posts = () => api.calls.filter((c) => c.method === 'POST');
export const gets = (path: string) => api.calls.filter((c) => c.method === 'GET' && c.url.pathname === path);
