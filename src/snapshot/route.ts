// The snapshot admin endpoint, for members of system:masters only (it reads and replaces everything):
//   GET  /skiff/v1/snapshot           → the cluster's snapshot (application/octet-stream)
//   POST /skiff/v1/snapshot/restore   body: a snapshot from GET → {kind: SnapshotRestore, revision, now}
// A malformed or truncated snapshot answers 400 naming the problem and leaves the cluster untouched.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rfc3339Micro } from '../clock.ts';
import { errors } from '../errors.ts';
import { readBody } from '../api/body.ts';
import { send } from '../api/respond.ts';
import { notFoundPath } from '../api/request-info.ts';
import { requestUser } from '../auth/user.ts';
import { isStorageError } from '../storage/types.ts';
import type { SnapshotDeps } from './cluster.ts';
import { decodeClusterSnapshot, encodeClusterSnapshot, restoreSnapshot, takeSnapshot } from './cluster.ts';
import { onPaths } from '../api/route-paths.ts';

/** Largest snapshot a restore accepts. */
export const MAX_SNAPSHOT_BYTES = 1024 * 1024 * 1024;

function requireAdmin(req: IncomingMessage, verb: string): void {
  const user = requestUser(req);
  if (!user?.groups.includes('system:masters')) {
    throw errors.forbidden(`user "${user?.name ?? 'system:anonymous'}" cannot ${verb} cluster snapshots: only members of system:masters may`);
  }
}

export function snapshotRoute(deps: SnapshotDeps) {
  return onPaths(['/skiff/v1/snapshot'], async (req: IncomingMessage, res: ServerResponse, url: Pick<URL, 'pathname'>): Promise<boolean> => {
    const p = url.pathname.replace(/\/+$/, '');
    if (p !== '/skiff/v1/snapshot' && !p.startsWith('/skiff/v1/snapshot/')) return false;
    const method = req.method ?? 'GET';
    const wrongMethod = () => errors.methodNotSupported({ group: 'skiff.dev', resource: 'snapshot' }, method);
    if (p === '/skiff/v1/snapshot') {
      if (method !== 'GET') throw wrongMethod();
      requireAdmin(req, 'save');
      await deps.settled?.();
      const body = encodeClusterSnapshot(takeSnapshot(deps));
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
      res.end(body);
      return true;
    }
    if (p === '/skiff/v1/snapshot/restore') {
      if (method !== 'POST') throw wrongMethod();
      requireAdmin(req, 'restore');
      if (Number(req.headers['content-length'] ?? 0) > MAX_SNAPSHOT_BYTES) { req.resume(); throw errors.tooLarge(`Request entity too large: limit is ${MAX_SNAPSHOT_BYTES}`); }
      const bytes = await readBody(req, MAX_SNAPSHOT_BYTES);
      let snap;
      try { snap = decodeClusterSnapshot(bytes); } catch (e) { throw isStorageError(e) ? errors.badRequest(e.message) : e; }
      try { await restoreSnapshot(deps, snap); } catch (e) { throw isStorageError(e, 'Unsupported') ? errors.badRequest(e.message) : e; }
      send(res, 200, { kind: 'SnapshotRestore', apiVersion: 'skiff.dev/v1', revision: String(snap.storage.revision), objects: snap.storage.kvs.length, now: rfc3339Micro(deps.clock.now()) });
      return true;
    }
    throw notFoundPath();
  });
}
