// The conformance suite against the proxy on Node (see conformance.ts), its merchant webhooks (delivery.ts),
// and request mode with the staff routes (requests.ts).
import { runConformance } from './conformance.ts';
import { runDelivery } from './delivery.ts';
import { runRequests } from './requests.ts';

runConformance('node');
runDelivery('node');
runRequests('node');
