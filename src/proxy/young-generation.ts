// The proxy's memory while bytes stream through it. Every chunk leaves short-lived wrappers behind,
// and V8 doubles its young generation's semi-spaces as they fill, up to 16 MB each: a 256 MiB scp
// peaked at 94 MB RSS, and 80 MB with the growth held at the initial size (same throughput;
// `npm run bench`, memory). It is set at run time, first thing in `sshpod proxy`, and not as a node
// flag in the block: any heap flag on node's command line costs every connect ~20 ms, because
// Node's start-up snapshot applies only with the default flags (src/ssh/config-block.ts). The
// growth factor is consulted only when V8 considers growing the new space, so changing it while
// running is safe; set later (when the relay starts) it came too late, the spaces had grown while
// the bundle loaded.
import { setFlagsFromString } from 'node:v8';

export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
