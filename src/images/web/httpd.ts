// httpd (Apache, `httpd-foreground`): a static server on port 80 rooted at /usr/local/apache2/htdocs,
// where the image ships Apache's "It works!" page (catalogue.ts) as a file: without it, 404.
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { goTime, stopped } from '../program-kit.ts';
import { serveFiles } from './static.ts';

export async function httpd(io: ProgramIO): Promise<number> {
  try {
    serveFiles(io, forPod(io.pod), 80, { root: '/usr/local/apache2/htdocs', style: 'httpd', serverHeader: 'Apache/2.4.38 (Unix)' });
  } catch { io.stderr('(98)Address already in use: AH00072: make_sock: could not bind to address 0.0.0.0:80\nno listening sockets available, shutting down\n'); return 1; }
  io.stderr(`[${goTime(io.now())}] [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.38 (Unix) configured -- resuming normal operations\n`);
  await stopped(io);
  return 0;
}
