/**
 * @module runtimeStack() and portOneStack(): what each runtime suite stands on, started before its scenarios and
 * stopped after them: a PostgreSQL schema of its own, a fake gateway served on loopback (i'mport V1, or PortOne V2),
 * and the proxy on the runtime, configured for that gateway. A runtime that cannot start fails every scenario (with its
 * output) rather than cancelling them quietly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { type ServedFake, serveFake } from '../proxy/gateways/fake-kit/serve-node.ts';
import { createFakeIamport, type FakeIamport } from '../proxy/gateways/iamport/fake/fake-iamport.ts';
import { serveFakeIamport } from '../proxy/gateways/iamport/fake/serve-node.ts';
import { createFakePortOne, type FakePortOne } from '../proxy/gateways/portone/fake/fake-portone.ts';
import { DROP_HEADER } from '../proxy/gateways/portone/fake/traffic.ts';
import {
  type Ledger,
  type LedgerServer,
  portOneEnv,
  proxyEnv,
  type RunningProxy,
  type RuntimeName,
  startLedgerServer,
  startProxy,
} from './harness.ts';

export type { ServedFake } from '../proxy/gateways/fake-kit/serve-node.ts';

export interface RuntimeStack<Fake = FakeIamport> {
  /** The PostgreSQL server, for a scenario that needs a schema of its own. */
  readonly server: LedgerServer;
  readonly served: ServedFake;
  readonly ledger: Ledger;
  readonly fake: Fake;
  readonly proxy: RunningProxy;
}

export interface StackOptions {
  /** The schema's name (made unique). */
  readonly schema: string;
  /** Starts what the proxy talks to besides the gateway (a webhook receiver, say) and returns its env; before the proxy. */
  readonly beside?: () => Promise<Record<string, string>>;
  /** Stops what `beside` started; after the proxy. */
  readonly closeBeside?: () => Promise<void>;
}

/** One gateway's part of a stack: its fake, how it is served, the proxy's env for it, and what follows the start. */
interface GatewayPart<Fake> {
  readonly fake: Fake;
  serve(): Promise<ServedFake>;
  env(servedUrl: string, databaseUrl: string): Record<string, string>;
  /** Once the proxy answers (the V2 fake sends its webhooks there). */
  started?(proxy: RunningProxy): void;
}

const gatewayStack = <Fake>(
  runtime: RuntimeName,
  options: StackOptions,
  part: GatewayPart<Fake>,
): RuntimeStack<Fake> => {
  let server: LedgerServer | undefined;
  let served: ServedFake | undefined;
  let ledger: Ledger | undefined;
  let proxy: RunningProxy | undefined;
  let startError: unknown = null;

  before(async () => {
    server = await startLedgerServer();
    ledger = await server.ledger(options.schema);
    served = await part.serve();
    try {
      const extra = (await options.beside?.()) ?? {};
      proxy = await startProxy(runtime, { ...part.env(served.url, ledger.url), ...extra });
      part.started?.(proxy);
    } catch (error) {
      startError = error;
    }
  });

  beforeEach(() => {
    if (startError) throw startError;
  });

  after(async () => {
    await proxy?.stop();
    // RUNTIME_TESTS_OUTPUT=dir keeps what each runtime printed (its request log), e.g. to chase a failure.
    if (process.env.RUNTIME_TESTS_OUTPUT && proxy) {
      writeFileSync(join(process.env.RUNTIME_TESTS_OUTPUT, `${options.schema}.log`), proxy.output());
    }
    await options.closeBeside?.();
    await served?.close();
    await ledger?.drop();
    await server?.stop();
  });

  const started = <T>(what: T | undefined): T => {
    if (what === undefined) throw new Error('the runtime stack is read before its before() hook ran');
    return what;
  };
  return {
    fake: part.fake,
    get server() {
      return started(server);
    },
    get served() {
      return started(served);
    },
    get ledger() {
      return started(ledger);
    },
    get proxy() {
      return started(proxy);
    },
  };
};

/** Call inside a describe(): registers the hooks and returns the stack on i'mport V1, readable once before() has run. */
export const runtimeStack = (runtime: RuntimeName, options: StackOptions): RuntimeStack => {
  const fake = createFakeIamport();
  return gatewayStack(runtime, options, {
    fake,
    serve: () => serveFakeIamport(fake),
    env: proxyEnv,
  });
};

/** A V2 webhook secret as PortOne shows it: `whsec_` and 32 random bytes in base64. */
const newPortOneWebhookSecret = (): string =>
  `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;

export interface PortOneStackFake {
  readonly fake: FakePortOne;
  /** The secret the proxy verifies V2's webhooks with, which the fake signs them with. */
  readonly webhookSecret: string;
  /** The `Authorization` header of each request that reached the fake's V2 routes (it logs no headers itself). */
  readonly authorizations: readonly string[];
}

/**
 * The stack on PortOne V2: the fake V2 served on loopback (its real clock), the proxy started with PORTONE_* instead
 * of IMP_*, and the fake's signed webhooks sent to the proxy's /webhooks/portone once it is up.
 */
export const portOneStack = (runtime: RuntimeName, options: StackOptions): RuntimeStack<PortOneStackFake> => {
  const fake = createFakePortOne();
  const webhookSecret = newPortOneWebhookSecret();
  const authorizations: string[] = [];
  return gatewayStack(runtime, options, {
    fake: { fake, webhookSecret, authorizations },
    serve: () =>
      serveFake({
        app: {
          fetch: (request, env) => {
            if (!new URL(request.url).pathname.startsWith('/__fake/')) {
              authorizations.push(request.headers.get('Authorization') ?? '');
            }
            return fake.app.fetch(request, env);
          },
        },
        dropHeader: DROP_HEADER,
      }),
    env: (url, databaseUrl) => portOneEnv({ url, apiSecret: fake.apiSecret, webhookSecret }, databaseUrl),
    started: (proxy) => fake.setWebhookTarget({ url: `${proxy.url}/webhooks/portone`, secret: webhookSecret }),
  });
};

export interface ProxyCall {
  readonly method: string;
  readonly bearer?: string | null;
  readonly key?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/** One call to a proxy: the bearer, Idempotency-Key and a JSON body as given; the answer's body parsed if it is JSON. */
export const callProxy = async (url: string, init: ProxyCall) => {
  const res = await fetch(url, {
    method: init.method,
    headers: {
      ...(init.bearer ? { Authorization: `Bearer ${init.bearer}` } : {}),
      ...(init.key ? { 'Idempotency-Key': init.key } : {}),
      ...(init.body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...init.headers,
    },
    body: init.body === undefined ? null : JSON.stringify(init.body),
  });
  const text = await res.text();
  let body: Record<string, any> = {}; // test code: bodies are asserted field by field
  try {
    body = JSON.parse(text);
  } catch {
    body = { text };
  }
  return { res, body };
};
