// The conformance suite against the proxy on Deno (see conformance.ts).
import { runConformance } from './conformance.ts';

runConformance('deno');
