// The files of configMap, secret, downwardAPI and projected volumes (the kubelet's volume plugins):
// every key (or the listed items) as a file with the volume's defaultMode (0644) or the item's mode.
// Missing objects or keys that are not optional are a ConfigError naming them as MountVolume.SetUp does.
import type { KObject } from '../../registry/strategy.ts';
import { formatMap, podFieldValue } from './env.ts';
import type { PodAddresses } from './env.ts';
import { resourceFieldValue } from './resource-env.ts';
import { ConfigError, configMapValue, secretValue } from './sources.ts';
import type { Sources } from './sources.ts';

/**
 * A file's content made when the file is first read (a service account token, signed on first use).
 * `id` names this content: a volume refresh that gets the same id keeps the file as it is.
 */
export interface LazyContent { readonly id: string; value(): string }
export interface VolumeFile { path: string; content: string | LazyContent; mode: number }

/** A text value (configMap data, labels, ...) as the UTF-8 bytes the kubelet writes for it. */
const utf8 = (text: string) => (Buffer.byteLength(text, 'utf8') === text.length ? text : Buffer.from(text, 'utf8').toString('latin1')); // ASCII: the same
/** A ConfigMap key's bytes: data as UTF-8, binaryData exactly as decoded. */
const configMapBytes = (cm: KObject, k: string) => (cm.data && Object.hasOwn(cm.data, k) ? utf8(String(cm.data[k])) : configMapValue(cm, k));
/** A Secret key's bytes: data exactly as decoded, stringData as UTF-8. */
const secretBytes = (s: KObject, k: string) => (s.data && Object.hasOwn(s.data, k) ? secretValue(s, k) : s.stringData && Object.hasOwn(s.stringData, k) ? utf8(String(s.stringData[k])) : undefined);
export const DEFAULT_MODE = 0o644;

/** `holder`: what the tokens are kept for (renewed, not re-signed, while it lives); the pod object when not given. */
export interface TokenIssuer { (pod: KObject, audience: string | undefined, expirationSeconds: number, holder?: object): Promise<LazyContent> }
export interface FileContext { pod: KObject; sources: Sources; addr: PodAddresses; allocatable: Record<string, string>; token?: TokenIssuer }

type Items = { key: string; path: string; mode?: number }[] | undefined;

function keyFiles(keys: string[], value: (k: string) => string | undefined, items: Items, mode: number, what: string, optional: boolean): VolumeFile[] {
  if (!items?.length) return keys.map((k) => ({ path: k, content: value(k)!, mode }));
  const out: VolumeFile[] = [];
  for (const it of items) {
    const v = value(it.key);
    if (v === undefined) { if (optional) continue; throw new ConfigError(`configmap references non-existent config key: ${it.key}`.replace('configmap', what)); }
    out.push({ path: it.path, content: v, mode: it.mode ?? mode });
  }
  return out;
}

async function configMapFiles(src: Record<string, any>, ctx: FileContext, mode: number): Promise<VolumeFile[]> {
  const ns = String(ctx.pod.metadata.namespace);
  const cm = await ctx.sources.configMap(ns, src.name);
  if (!cm) { if (src.optional) return []; throw new ConfigError(`configmap "${src.name}" not found`); }
  const keys = [...Object.keys(cm.data ?? {}), ...Object.keys(cm.binaryData ?? {})];
  return keyFiles(keys, (k) => configMapBytes(cm, k), src.items, mode, 'configmap', !!src.optional);
}

async function secretFiles(src: Record<string, any>, ctx: FileContext, mode: number): Promise<VolumeFile[]> {
  const ns = String(ctx.pod.metadata.namespace);
  const name = src.secretName ?? src.name;
  const s = await ctx.sources.secret(ns, name);
  if (!s) { if (src.optional) return []; throw new ConfigError(`secret "${name}" not found`); }
  return keyFiles(Object.keys(s.data ?? {}), (k) => secretBytes(s, k), src.items, mode, 'secret', !!src.optional);
}

function downwardFiles(src: Record<string, any>, ctx: FileContext, mode: number): VolumeFile[] {
  return (src.items ?? []).map((it: Record<string, any>) => {
    let content: string;
    if (it.fieldRef) {
      const p = String(it.fieldRef.fieldPath);
      content = p === 'metadata.labels' ? formatMap(ctx.pod.metadata.labels) : p === 'metadata.annotations' ? formatMap(ctx.pod.metadata.annotations) : podFieldValue(ctx.pod, p, ctx.addr);
    } else {
      const name = it.resourceFieldRef?.containerName;
      const c = [...(ctx.pod.spec?.containers ?? []), ...(ctx.pod.spec?.initContainers ?? [])].find((x: any) => x.name === name) ?? {};
      content = resourceFieldValue(it.resourceFieldRef ?? {}, c, ctx.allocatable);
    }
    return { path: String(it.path), content: utf8(content), mode: it.mode ?? mode };
  });
}

/** The files of a volume of one of these kinds; undefined for other kinds of volume. */
export async function volumeFiles(vol: Record<string, any>, ctx: FileContext): Promise<VolumeFile[] | undefined> {
  if (vol.configMap) return configMapFiles(vol.configMap, ctx, vol.configMap.defaultMode ?? DEFAULT_MODE);
  if (vol.secret) return secretFiles(vol.secret, ctx, vol.secret.defaultMode ?? DEFAULT_MODE);
  if (vol.downwardAPI) return downwardFiles(vol.downwardAPI, ctx, vol.downwardAPI.defaultMode ?? DEFAULT_MODE);
  if (!vol.projected) return undefined;
  const mode = vol.projected.defaultMode ?? DEFAULT_MODE;
  const out: VolumeFile[] = [];
  for (const s of vol.projected.sources ?? []) {
    if (s.configMap) out.push(...await configMapFiles(s.configMap, ctx, mode));
    else if (s.secret) out.push(...await secretFiles(s.secret, ctx, mode));
    else if (s.downwardAPI) out.push(...downwardFiles(s.downwardAPI, ctx, mode));
    else if (s.serviceAccountToken) {
      if (!ctx.token) throw new ConfigError('failed to fetch token: the service account token issuer is not available');
      const t = s.serviceAccountToken;
      out.push({ path: String(t.path), content: await ctx.token(ctx.pod, t.audience || undefined, t.expirationSeconds ?? 3600, ctx), mode });
    }
  }
  return out;
}

/**
 * What a file volume's files are made from: the pod (downwardAPI fields), each ConfigMap and Secret it
 * reads (the store hands out one object per revision) and each token (the same until it is renewed).
 * When every one is the same object as at the last build, the files are the same: a refresh on the
 * kubelet's sync period looks these up and makes nothing else (it rebuilt every pod's files, token
 * check and ConfigMap copy included, every 10 s). The pod is held weakly: holding it kept the pod's
 * revision of the last build (and its stored bytes) alive after the pod changed.
 */
export interface VolumeInputs { pod: WeakRef<object>; objects: unknown[] }

/** The inputs of a file volume (undefined for other kinds of volume). */
export async function volumeInputs(vol: Record<string, any>, ctx: FileContext): Promise<VolumeInputs | undefined> {
  const sources = vol.projected ? vol.projected.sources ?? [] : vol.configMap || vol.secret || vol.downwardAPI ? [vol] : undefined;
  if (!sources) return undefined;
  const pod = ctx.pod;
  const ns = String(pod.metadata.namespace);
  const objects: unknown[] = [];
  for (const s of sources) {
    if (s.configMap) objects.push(await ctx.sources.configMap(ns, s.configMap.name));
    else if (s.secret) objects.push(await ctx.sources.secret(ns, s.secret.secretName ?? s.secret.name));
    else if (s.serviceAccountToken && ctx.token) {
      const t = s.serviceAccountToken;
      objects.push(await ctx.token(pod, t.audience || undefined, t.expirationSeconds ?? 3600, ctx).catch(() => undefined));
    }
  }
  return { pod: new WeakRef(pod), objects };
}

/** Whether two volumeInputs() name the same objects. */
export const sameInputs = (a: VolumeInputs | undefined, b: VolumeInputs | undefined): boolean =>
  !!a && !!b && a.pod.deref() !== undefined && a.pod.deref() === b.pod.deref()
  && a.objects.length === b.objects.length && a.objects.every((x, i) => x === b.objects[i]);
