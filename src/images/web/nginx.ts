// nginx (the e2e nginx image and docker's nginx): a static server on port 80 rooted at
// /usr/share/nginx/html with nginx's welcome page, access log on stdout; SIGTERM (fast shutdown) exits 0.
import type { ProgramIO } from '../types.ts';
import { forPod } from '../../netsim/index.ts';
import { stopped } from '../program-kit.ts';
import { serveFiles } from './static.ts';

export const NGINX_INDEX = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
    body {
        width: 35em;
        margin: 0 auto;
        font-family: Tahoma, Verdana, Arial, sans-serif;
    }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export async function nginx(io: ProgramIO): Promise<number> {
  const argv = io.argv.slice(1);
  if (argv[0] === '-v' || argv[0] === '-V') { io.stderr('nginx version: nginx/1.14.2\n'); return 0; }
  if (argv[0] === '-t') { io.stderr('nginx: the configuration file /etc/nginx/nginx.conf syntax is ok\nnginx: configuration file /etc/nginx/nginx.conf test is successful\n'); return 0; }
  try {
    serveFiles(io, forPod(io.pod), 80, {
      root: '/usr/share/nginx/html', defaultIndex: NGINX_INDEX, style: 'nginx', serverHeader: 'nginx/1.14.2',
      log: (req, status, bytes) => {
        const d = new Date(io.now());
        const stamp = `${String(d.getUTCDate()).padStart(2, '0')}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${d.toISOString().slice(11, 19)} +0000`;
        io.stdout(`${req.socket.remoteAddress} - - [${stamp}] "${req.method} ${req.url} HTTP/${req.httpVersion}" ${status} ${bytes} "-" "${req.headers['user-agent'] ?? '-'}" "-"\n`);
      },
    });
  } catch (e) { io.stderr(`nginx: [emerg] bind() to 0.0.0.0:80 failed (98: Address already in use)\n`); void e; return 1; }
  await stopped(io);
  return 0;
}
