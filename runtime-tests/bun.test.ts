// The conformance suite against the proxy on Bun (see conformance.ts).
import { runConformance } from './conformance.ts';

runConformance('bun');
