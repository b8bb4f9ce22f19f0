// The catalogue of well-known images, as data: an image reference (any registry, any tag or digest)
// maps by its repository's last path segment to what the image runs by default. Every program an
// entry runs is either a shell or found by programFor (programs.ts); images not listed are unknown
// (the runtime keeps them running until deleted).
import type { ImageDefaults } from './types.ts';
import { localhostCert } from './localhost-cert.ts';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const shell = (sh: string): ImageDefaults => ({ entrypoint: [], cmd: [sh], env: { PATH } });
/** The page the httpd image ships as its document root's index.html. */
export const HTTPD_INDEX = '<html><body><h1>It works!</h1></body></html>\n';
const updateDemo = (name: string): ImageDefaults => ({ entrypoint: ['/agnhost'], cmd: ['test-webserver'], env: { PATH }, files: { '/data.json': () => `{\n  "image": "${name}.jpg"\n}\n` } });

export const CATALOGUE: Record<string, ImageDefaults> = {
  busybox: { entrypoint: [], cmd: ['sh'], env: { PATH } },
  alpine: shell('/bin/sh'),
  debian: shell('bash'),
  ubuntu: shell('/bin/bash'),
  centos: shell('/bin/bash'),
  fedora: shell('/bin/bash'),
  'debian-base': shell('/bin/sh'),
  'jessie-dnsutils': shell('/bin/sh'),
  dnsutils: shell('/bin/sh'),
  'test-webserver': { entrypoint: ['/agnhost', 'test-webserver'], cmd: [] },
  'distroless-iptables': shell('/bin/sh'),
  nonroot: { entrypoint: [], cmd: ['sh'], user: 1234, env: { PATH } },
  nonewprivs: { entrypoint: ['/usr/local/bin/nnp'], cmd: [], env: { PATH } },
  pause: { entrypoint: ['/pause'], cmd: [] },
  // agnhost ships a self-signed localhost certificate (netexec --tls-cert-file /localhost.crt, porter).
  agnhost: { entrypoint: ['/agnhost'], cmd: ['pause'], env: { PATH }, files: { '/localhost.crt': () => localhostCert().cert, '/localhost.key': () => localhostCert().key } },
  nginx: { entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'], env: { PATH, NGINX_VERSION: '1.14.2' } },
  // Its index.html is a real file: moving it away (the StatefulSet e2e specs' way of failing a readiness probe) gives 404.
  httpd: { entrypoint: [], cmd: ['httpd-foreground'], workingDir: '/usr/local/apache2', env: { PATH: `/usr/local/apache2/bin:${PATH}`, HTTPD_PREFIX: '/usr/local/apache2' }, files: { '/usr/local/apache2/htdocs/index.html': () => HTTPD_INDEX } },
  // The update-demo images are agnhost's test-webserver (port 80, files from /) with their data.json.
  kitten: updateDemo('kitten'),
  nautilus: updateDemo('nautilus'),
  echoserver: { entrypoint: [], cmd: ['echoserver'], env: { PATH } },
};

/** The repository's last path segment of an image reference: registry.k8s.io/e2e-test-images/agnhost:2.53 → agnhost. */
export function repositoryName(image: string): string {
  const noDigest = image.split('@')[0];
  const lastSlash = noDigest.lastIndexOf('/');
  const lastColon = noDigest.lastIndexOf(':');
  const repo = lastColon > lastSlash ? noDigest.slice(0, lastColon) : noDigest;
  return repo.slice(repo.lastIndexOf('/') + 1).toLowerCase();
}
