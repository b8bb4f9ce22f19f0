// Which pods the container runtime runs: those with a container of an image the catalogue knows,
// unless a skiff.dev fault/timing annotation asks the stage table for a scripted lifecycle, or an
// image that does not exist (its pull fails in the stage table).
import type { KObject } from '../../registry/strategy.ts';
import { isKnownImage } from '../../images/index.ts';
import { podHasAbsentImage } from '../../images/absent.ts';

const STAGE_ANNOTATIONS = ['skiff.dev/run-seconds', 'skiff.dev/exit-code', 'skiff.dev/crash-loop', 'skiff.dev/never-ready', 'skiff.dev/image-pull-error', 'skiff.dev/readiness-flap-seconds', 'skiff.dev/start-seconds', 'skiff.dev/logs'];

export function emulated(pod: KObject): boolean {
  const ann = pod.metadata?.annotations ?? {};
  for (const k of Object.keys(ann)) if (STAGE_ANNOTATIONS.some((a) => k === a || k.startsWith(`${a}.`))) return false;
  if (podHasAbsentImage(pod)) return false;
  for (const list of [pod.spec?.containers, pod.spec?.initContainers]) {
    if (Array.isArray(list)) for (const c of list) if (typeof c?.image === 'string' && isKnownImage(c.image)) return true;
  }
  return false;
}
