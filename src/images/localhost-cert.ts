// The self-signed "localhost" certificate agnhost ships (/localhost.crt, /localhost.key) for porter
// and netexec's TLS modes: SANs localhost, 127.0.0.1 and ::1. Made once per process (ECDSA P-256).
import { generateKeyPairSync, sign } from 'node:crypto';
import { bits, bool, ctx, int, namedBits, octets, oid, seq, set, time, uint, utf8 } from '../auth/der.ts';

let made: { cert: string; key: string } | undefined;

const pem = (der: Uint8Array, label: string) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END ${label}-----\n`;

export function localhostCert(): { cert: string; key: string } {
  if (made) return made;
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const alg = seq(oid('1.2.840.10045.4.3.2'));
  const name = seq(set(seq(oid('2.5.4.10'), utf8('Acme Co'))));
  const sans = seq(ctx(2, Buffer.from('localhost'), false), ctx(7, Buffer.from([127, 0, 0, 1]), false), ctx(7, Buffer.from([...Array(15).fill(0), 1]), false));
  const ext = (id: string, critical: boolean, v: Uint8Array) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(v));
  const tbs = seq(
    ctx(0, int(2)), uint(Buffer.from([0x01, 0x23, 0x45, 0x67])), alg, name,
    seq(time(Date.UTC(1970, 0, 1)), time(Date.UTC(2084, 0, 29, 16))), name,
    publicKey.export({ type: 'spki', format: 'der' }),
    ctx(3, seq(
      ext('2.5.29.15', true, namedBits([0, 2, 5])),
      ext('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1'))),
      ext('2.5.29.19', true, seq(bool(true))),
      ext('2.5.29.17', false, sans),
    )),
  );
  const cert = seq(tbs, alg, bits(sign('sha256', tbs, privateKey)));
  made = { cert: pem(cert, 'CERTIFICATE'), key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
  return made;
}
