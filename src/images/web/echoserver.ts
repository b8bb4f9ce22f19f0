// The echoserver image: an HTTP server on 8080 answering every request with a description of it
// (client address, method, path, headers, body), as the e2e echoserver does.
import type { ProgramIO } from '../types.ts';
import { forPod, serveHttp } from '../../netsim/index.ts';
import { hostnameOf, stopped } from '../program-kit.ts';

export async function echoserver(io: ProgramIO): Promise<number> {
  serveHttp(forPod(io.pod), 8080, async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    const headers = Object.entries(req.headers).map(([k, v]) => `\t${k}=${v}`).join('\n');
    res.setHeader('Content-Type', 'text/plain');
    res.end(`\n\nHostname: ${hostnameOf(io)}\n\nPod Information:\n\t-no pod information available-\n\nServer values:\n\tserver_version=nginx: 1.13.3 - lua: 10008\n\nRequest Information:\n\tclient_address=${req.socket.remoteAddress}\n\tmethod=${req.method}\n\treal path=${req.url}\n\tquery=${new URL(req.url ?? '/', 'http://x').search.slice(1)}\n\trequest_version=${req.httpVersion}\n\trequest_scheme=http\n\trequest_uri=http://${req.headers.host ?? ''}${req.url}\n\nRequest Headers:\n${headers}\n\nRequest Body:\n${body || '\t-no body in request-'}\n\n`);
  }, { signal: io.signal });
  await stopped(io);
  return 0;
}
