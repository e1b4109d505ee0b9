/**
 * @module The webhooks part's stages (`--webhook-stage=`): how much of merchant webhooks the "on" proxy runs, so a run
 * can tell what each piece costs a refund. Each stage is the production proxy with one piece cut off at a seam the
 * proxy is built with (the Store or the HTTP client it is given), never a switch inside the proxy itself.
 */
import type { FetchLike } from '../../proxy/net/fetch-like.ts';
import type { Store } from '../../proxy/store/store.ts';

export const WEBHOOK_STAGES = ['full', 'no-http', 'write-only', 'no-write'] as const;
export type WebhookStage = (typeof WEBHOOK_STAGES)[number];

/** What the "on" proxy does in each stage, for the tables' notes. */
export const STAGE_MEANS: Record<WebhookStage, string> = {
  full: 'merchant webhooks as they run in production: written with the outcome, signed, POSTed, recorded',
  'no-http':
    'events written, held, signed and recorded as delivered, but each POST answered 204 inside the proxy process ' +
    '(no connection, no receiver)',
  'write-only': 'events written with the outcome in the same transaction, never delivered (no pass claims them)',
  'no-write': "events built, then dropped before the outcome's write (the control: webhooks configured, nothing sent)",
};

/** The stage's Store: `write-only` never hands over nor claims an event; `no-write` writes an outcome without one. */
export const stagedStore = (store: Store, stage: WebhookStage): Store => {
  if (stage !== 'write-only' && stage !== 'no-write') return store;
  // Every other method is the store's own, through the prototype.
  const staged: Store = Object.create(store);
  if (stage === 'write-only') {
    staged.handOverNewEvents = () => {};
    staged.claimDueEvents = async () => [];
  } else {
    staged.finishAttempt = (id, finish, _event, settled) => store.finishAttempt(id, finish, undefined, settled);
  }
  return staged;
};

/** The stage's HTTP client: in `no-http`, a POST to one of `urls` is answered 204 at once; `answered` counts those. */
export const stagedFetch = (
  fetch: FetchLike,
  stage: WebhookStage,
  urls: readonly string[],
): { readonly fetch: FetchLike; answered(): number } => {
  if (stage !== 'no-http') return { fetch, answered: () => 0 };
  let answered = 0;
  const ok = { status: 204, text: async () => '' };
  return {
    fetch: (url, init) => {
      if (!urls.includes(url)) return fetch(url, init);
      answered += 1;
      return Promise.resolve(ok);
    },
    answered: () => answered,
  };
};
