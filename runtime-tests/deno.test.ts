// The conformance suite against the proxy on Deno (see conformance.ts), and its merchant webhooks (delivery.ts).
import { runConformance } from './conformance.ts';
import { runDelivery } from './delivery.ts';

runConformance('deno');
runDelivery('deno');
