// The conformance suite against the proxy on workerd (see conformance.ts).
import { runConformance } from './conformance.ts';

runConformance('workerd');
