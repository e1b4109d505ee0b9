/**
 * @module runtimeStack(): what each runtime suite stands on, started before its scenarios and stopped after them: a
 * PostgreSQL schema of its own, the fake i'mport served on loopback, and the proxy on the runtime. A runtime that
 * cannot start fails every scenario (with its output) rather than cancelling them quietly.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { createFakeIamport, type FakeIamport } from '../proxy/gateways/iamport/fake/fake-iamport.ts';
import { type ServedFake, serveFakeIamport } from '../proxy/gateways/iamport/fake/serve-node.ts';
import {
  type Ledger,
  type LedgerServer,
  proxyEnv,
  type RunningProxy,
  type RuntimeName,
  startLedgerServer,
  startProxy,
} from './harness.ts';

export interface RuntimeStack {
  /** The PostgreSQL server, for a scenario that needs a schema of its own. */
  readonly server: LedgerServer;
  readonly served: ServedFake;
  readonly ledger: Ledger;
  readonly fake: FakeIamport;
  readonly proxy: RunningProxy;
}

export interface StackOptions {
  /** The schema's name (made unique). */
  readonly schema: string;
  /** Starts what the proxy talks to besides i'mport (a webhook receiver, say) and returns its env; before the proxy. */
  readonly beside?: () => Promise<Record<string, string>>;
  /** Stops what `beside` started; after the proxy. */
  readonly closeBeside?: () => Promise<void>;
}

/** Call inside a describe(): registers the hooks and returns the stack, readable once before() has run. */
export const runtimeStack = (runtime: RuntimeName, options: StackOptions): RuntimeStack => {
  let server: LedgerServer | undefined;
  let served: ServedFake | undefined;
  let ledger: Ledger | undefined;
  let proxy: RunningProxy | undefined;
  const fake = createFakeIamport();
  let startError: unknown = null;

  before(async () => {
    server = await startLedgerServer();
    ledger = await server.ledger(options.schema);
    served = await serveFakeIamport(fake);
    try {
      const extra = (await options.beside?.()) ?? {};
      proxy = await startProxy(runtime, { ...proxyEnv(served.url, ledger.url), ...extra });
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
    fake,
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
