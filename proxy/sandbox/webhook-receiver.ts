/**
 * @module The sandbox's merchant webhook receiver: where the outbox delivers in the sandbox, so a visitor sees the
 * events a merchant's server would get. It verifies each signature with the `standardwebhooks` package (as we tell
 * merchants to), keeps the last deliveries for the demo page, and can be told to fail or to answer slowly so that
 * retries show. Runtime-neutral: the Node entry serves it on loopback (entries/sandbox-receiver.ts).
 */

import { DELIVERY_TIMEOUT_MS } from '../webhooks/dispatcher.ts';

/** Throws when the body and headers are not a delivery signed with the receiver's secret. */
export type Verify = (body: string, headers: Record<string, string>) => void;

/** How many deliveries the receiver remembers; older ones drop off. */
export const KEPT_DELIVERIES = 100;
/** The longest "answer slowly" delay: past the dispatcher's 15 s timeout, so a timed-out attempt can be shown. */
export const MAX_DELAY_MS = 20_000;
/** The most deliveries one "fail next" may cover. */
export const MAX_FAIL_NEXT = 100;

export interface ReceivedDelivery {
  /** The `webhook-id` header (the event's id), or null when absent. */
  readonly id: string | null;
  /** The body's `type`, or null when the body is not an event. */
  readonly type: string | null;
  /** The nth time this webhook-id arrived here (1 for the first attempt). */
  readonly attempt: number;
  readonly received_at: string;
  readonly verified: boolean;
  /** Why verification failed, in the package's words; null when verified. */
  readonly verify_error: string | null;
  /** The status the receiver answered with. */
  readonly answered: number;
  /** How long it waited before answering (answer slowly). */
  readonly delay_ms: number;
  /**
   * Answered only after the proxy's delivery timeout: the proxy had stopped waiting, so whatever `answered` says, the
   * attempt counted as failed and the event is sent again.
   */
  readonly late: boolean;
  /** Still holding its answer back (answer slowly): `answered` is what it will say, not said yet. */
  readonly answering: boolean;
}

export interface ReceiverSettings {
  /** Deliveries still to be answered with 500. */
  readonly fail_next: number;
  /** Each answer waits this long. */
  readonly delay_ms: number;
}

export interface SandboxReceiver {
  /** Handles one POST: verifies, records, answers (after the delay). */
  fetch(request: Request): Promise<Response>;
  /** Newest first. */
  received(): readonly ReceivedDelivery[];
  settings(): ReceiverSettings;
  /** Sets what is given; checked by the caller against MAX_FAIL_NEXT and MAX_DELAY_MS. */
  configure(settings: Partial<ReceiverSettings>): ReceiverSettings;
  /** Forgets the deliveries and the settings (the sandbox's reset). */
  clear(): void;
}

export interface ReceiverOptions {
  readonly verify: Verify;
  readonly now: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const typeOf = (body: string): string | null => {
  try {
    const parsed: unknown = JSON.parse(body);
    const type = (parsed as { type?: unknown } | null)?.type;
    return typeof type === 'string' ? type : null;
  } catch {
    return null;
  }
};

export const createSandboxReceiver = (options: ReceiverOptions): SandboxReceiver => {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let deliveries: ReceivedDelivery[] = [];
  const seen = new Map<string, number>();
  let settings: ReceiverSettings = { fail_next: 0, delay_ms: 0 };

  return {
    async fetch(request) {
      const body = await request.text();
      const headers = Object.fromEntries(request.headers);
      let verifyError: string | null = null;
      try {
        options.verify(body, headers);
      } catch (error) {
        verifyError = error instanceof Error ? error.message : String(error);
      }
      const id = request.headers.get('webhook-id');
      const attempt = id === null ? 1 : (seen.get(id) ?? 0) + 1;
      if (id !== null) seen.set(id, attempt);
      // Only a verified delivery uses up a "fail next": a forged post is refused on its own account.
      const failing = verifyError === null && settings.fail_next > 0;
      if (failing) settings = { ...settings, fail_next: settings.fail_next - 1 };
      const answered = verifyError !== null ? 400 : failing ? 500 : 204;
      const delay = settings.delay_ms;
      const delivery: ReceivedDelivery = {
        id,
        type: typeOf(body),
        attempt,
        received_at: new Date(options.now()).toISOString(),
        verified: verifyError === null,
        verify_error: verifyError,
        answered,
        delay_ms: delay,
        late: delay >= DELIVERY_TIMEOUT_MS,
        answering: delay > 0,
      };
      deliveries = [delivery, ...deliveries].slice(0, KEPT_DELIVERIES);
      if (seen.size > KEPT_DELIVERIES * 10) seen.clear(); // a bound, not a ledger: attempt numbers may restart
      if (delay > 0) {
        await sleep(delay);
        // Answered now: the panel said "answering" until then, not an answer nobody had given yet.
        deliveries = deliveries.map((d) => (d === delivery ? { ...d, answering: false } : d));
      }
      return answered === 204
        ? new Response(null, { status: 204 })
        : new Response(verifyError ?? 'failing on purpose (sandbox: fail next)', { status: answered });
    },
    received: () => deliveries,
    settings: () => settings,
    configure(next) {
      settings = { ...settings, ...next };
      return settings;
    },
    clear() {
      deliveries = [];
      seen.clear();
      settings = { fail_next: 0, delay_ms: 0 };
    },
  };
};

/**
 * The `standardwebhooks` package's verifier for `secret`, or null when the package is not installed: it is a
 * development dependency, and a production install (`npm ci --omit=dev`) has no sandbox receiver. Imported only
 * here, when the sandbox starts, so the live proxy never loads it.
 */
export const loadStandardWebhooks = async (secret: string): Promise<Verify | null> => {
  let Webhook: typeof import('standardwebhooks').Webhook;
  try {
    const module = await import('standardwebhooks');
    // A CommonJS package: its exports are named on Node, or only on `default` elsewhere.
    Webhook = module.Webhook ?? (module as unknown as { default: typeof module }).default.Webhook;
  } catch {
    return null;
  }
  const webhook = new Webhook(secret);
  return (body, headers) => void webhook.verify(body, headers);
};
