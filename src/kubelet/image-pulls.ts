// Which images each simulated node holds, so that the kubelet's image events follow upstream's image
// manager (pkg/kubelet/images): with imagePullPolicy IfNotPresent (the default for a tagged image) an
// image already on the node is not pulled — the container gets one Pulled event "Container image …
// already present on machine" — while an image the node lacks, or any image under policy Always, is
// pulled: Pulling when the pod's containers are being created, "Successfully pulled image …" when they
// start. A node holds the sandbox image (pause) from the start, as a real node does (containerd keeps
// it for every pod's sandbox), and every image a pull finished on it.
//
// The decision for a pod is taken once, when its Pulling events would be written (the `pulling`
// event of the stage table), and kept until its containers start, so each pod's events pair up.
import type { Pod } from '../types/generated.ts';
import { imageRef, pullPolicy } from './builtins.ts';

/** The image every node runs pod sandboxes from (the kubelet's default --pod-infra-container-image). */
export const SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10';

type Container = { name: string; image?: string; imagePullPolicy?: string };

export class NodeImages {
  /** node name → normalised image references on it (besides the sandbox image). */
  private readonly present = new Map<string, Set<string>>();
  /** pod uid → container name → whether it pulls its image (decided at `pulling`, taken at `started`). */
  private readonly pulls = new Map<string, Map<string, boolean>>();
  private readonly sandbox = imageRef(SANDBOX_IMAGE).image;

  has(node: string, image: string | undefined): boolean {
    const ref = imageRef(image).image;
    return ref === this.sandbox || this.present.get(node)?.has(ref) === true;
  }

  /** Whether the container's image has to be pulled on the pod's node now (policy Always, or absent). */
  private mustPull(p: Pod, c: Container, forced: boolean): boolean {
    const policy = pullPolicy(c);
    if (policy === 'Never') return false;
    return forced || policy === 'Always' || !this.has(p.spec?.nodeName ?? '', c.image);
  }

  /**
   * The containers are being created: true when this one's image is pulled (a Pulling event). The
   * answer is remembered for the pod until `started`. `forced`: the pull is bound to happen (it fails).
   */
  pulling(p: Pod, c: Container, forced = false): boolean {
    const uid = p.metadata.uid ?? '';
    const pull = this.mustPull(p, c, forced);
    let decided = this.pulls.get(uid);
    if (!decided) this.pulls.set(uid, decided = new Map());
    decided.set(c.name, pull);
    return pull;
  }

  /**
   * The container starts for the first time: true when its image was pulled for it ("Successfully
   * pulled"; the node holds the image from now on), false when it was present ("already present").
   * A container not decided before (an init container; a pod whose creation Skiff did not see) is decided now.
   */
  started(p: Pod, c: Container): boolean {
    const uid = p.metadata.uid ?? '', node = p.spec?.nodeName ?? '';
    const decided = this.pulls.get(uid);
    const pulled = decided?.get(c.name) ?? this.mustPull(p, c, false);
    if (decided?.delete(c.name) && !decided.size) this.pulls.delete(uid);
    if (pulled && node) {
      let imgs = this.present.get(node);
      if (!imgs) this.present.set(node, imgs = new Set());
      imgs.add(imageRef(c.image).image);
    }
    return pulled;
  }

  /** The pod is gone. */
  forget(uid: string): void { this.pulls.delete(uid); }
}
