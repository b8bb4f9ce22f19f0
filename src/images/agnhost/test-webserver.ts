// agnhost test-webserver: serves the container's files over HTTP (--port, default 80), as Go's
// http.FileServer rooted at "/": files by path, directories as an HTML listing.
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { cobraFlags, goLog, stopped, SIGTERM_EXIT } from '../program-kit.ts';
import { serveFiles } from '../web/static.ts';

export async function testWebserver(io: ProgramIO, args: string[]): Promise<number> {
  const f = cobraFlags(io, 'agnhost test-webserver', args, { port: { type: 'int', default: 80 } });
  if (!f) return 1;
  const port = f.values.port as number;
  try { serveFiles(io, forPod(io.pod), port, {
      root: '/', listDirs: true, style: 'go',
      headers: {
        'Cache-Control': 'private', 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Credentials': 'true', 'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
        'Access-Control-Allow-Headers': 'DNT,X-Mx-ReqToken,Keep-Alive,User-Agent,X-Requested-With,Cache-Control,Content-Type',
      },
    }); } catch (e) { goLog(io, (e as Error).message); return 1; }
  goLog(io, `Serving on port ${port}.`);
  await stopped(io);
  return SIGTERM_EXIT;
}
