// The conformance suite against the proxy on Node (see conformance.ts).
import { runConformance } from './conformance.ts';

runConformance('node');
