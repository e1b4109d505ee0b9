// The conformance suite against the proxy on Bun (see conformance.ts), and its merchant webhooks (delivery.ts).
import { runConformance } from './conformance.ts';
import { runDelivery } from './delivery.ts';

runConformance('bun');
runDelivery('bun');
