// The conformance suite against the proxy on workerd (see conformance.ts), and its merchant webhooks (delivery.ts).
import { runConformance } from './conformance.ts';
import { runDelivery } from './delivery.ts';

runConformance('workerd');
runDelivery('workerd');
