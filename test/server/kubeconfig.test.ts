// The kubeconfig is written without a YAML library (start-up cost); a YAML parser must read back
// exactly the object it describes, whatever characters the values hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { kubeconfigObject, kubeconfigYaml } from '../../src/kubeconfig.ts';

test('kubeconfig YAML parses back to the kubeconfig object', () => {
  const inputs = [
    { server: 'https://127.0.0.1:6443', caPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n', token: 'abc123' },
    { server: 'http://[::1]:8080', token: 'yes' },
    { server: 'https://h:1', token: '# not a comment: "quoted" \\ \u00e9 null', name: 'odd: name' },
  ];
  for (const k of inputs) assert.deepEqual(parse(kubeconfigYaml(k)), kubeconfigObject(k));
  assert.match(kubeconfigYaml(inputs[0]), /^apiVersion: "v1"\nkind: "Config"\n/);
});
