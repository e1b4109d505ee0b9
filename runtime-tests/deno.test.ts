// The conformance suite against the proxy on Deno (see conformance.ts), its merchant webhooks (delivery.ts),
// request mode with the staff routes (requests.ts), and the conformance scenarios on PortOne V2
// (conformance-portone.ts).
import { runConformance } from './conformance.ts';
import { runPortOneConformance } from './conformance-portone.ts';
import { runDelivery } from './delivery.ts';
import { runRequests } from './requests.ts';

runConformance('deno');
runDelivery('deno');
runRequests('deno');
runPortOneConformance('deno');
