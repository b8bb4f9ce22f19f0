import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeEnv } from '../../src/cel/index.ts';
import { parseQuantity } from '../../src/cel/library/quantity.ts';
import { parseIP, parseCIDR } from '../../src/cel/library/ip.ts';

const ev = (e: string) => runtimeEnv.evaluate(e, { self: null, oldSelf: null });

test('lists library', () => {
  assert.equal(ev('[1, 2, 2, 3].isSorted()'), true);
  assert.equal(ev('["b", "a"].isSorted()'), false);
  assert.equal(ev('[1, 2, 3].sum()'), 6n);
  assert.equal(ev('[1.5, 2.5].sum()'), 4);
  assert.equal(ev('[3, 1, 2].min()'), 1n);
  assert.equal(ev('[3, 1, 2].max()'), 3n);
  assert.equal(ev('[1, 2, 1].indexOf(1)'), 0n);
  assert.equal(ev('[1, 2, 1].lastIndexOf(1)'), 2n);
  assert.equal(ev('[1].indexOf(5)'), -1n);
  assert.throws(() => ev('[].min()'), /min\(list\) argument must not be empty/);
});

test('regex library: find, findAll, RE2 syntax', () => {
  assert.equal(ev('"abc 123 de 45".find("[0-9]+")'), '123');
  assert.equal(ev('"abc".find("[0-9]+")'), '');
  assert.deepEqual(ev('"abc 123 de 45".findAll("[0-9]+")'), ['123', '45']);
  assert.deepEqual(ev('"a1b2c3".findAll("[0-9]", 2)'), ['1', '2']);
  assert.throws(() => ev('"abc".find("(?=a)")'), /invalid or unsupported Perl syntax/);
});

test('strings extras', () => {
  assert.equal(ev('"hello".charAt(1)'), 'e');
  assert.equal(ev('"aaa".replace("a", "b")'), 'bbb');
  assert.equal(ev('"aaa".replace("a", "b", 2)'), 'bba');
  assert.equal(ev('"abc".reverse()'), 'cba');
  assert.deepEqual(ev('"a,b".split(",")'), ['a', 'b']);
  assert.equal(ev('"ABC".lowerAscii()'), 'abc');
});

test('quantity library', () => {
  assert.equal(ev('quantity("1Gi").isGreaterThan(quantity("1G"))'), true);
  assert.equal(ev('quantity("500m").isLessThan(quantity("1"))'), true);
  assert.equal(ev('quantity("1k").compareTo(quantity("1000"))'), 0n);
  assert.equal(ev('quantity("1.5").isInteger()'), false);
  assert.equal(ev('quantity("2Ki").asInteger()'), 2048n);
  assert.equal(ev('quantity("1").add(quantity("500m")).asApproximateFloat()'), 1.5);
  assert.equal(ev('quantity("1").sub(2).sign()'), -1n);
  assert.equal(ev('isQuantity("1e3")'), true);
  assert.equal(ev('isQuantity("abc")'), false);
  assert.equal(ev('quantity("1000m") == quantity("1")'), true);
  assert.throws(() => parseQuantity('x'), /quantities must match the regular expression/);
  assert.throws(() => ev('quantity("1.5").asInteger()'), /cannot convert value to integer/);
});

test('ip and cidr libraries', () => {
  assert.equal(ev('ip("10.0.0.1").family()'), 4n);
  assert.equal(ev('ip("::1").isLoopback()'), true);
  assert.equal(ev('ip("fe80::1").isLinkLocalUnicast()'), true);
  assert.equal(ev('ip("8.8.8.8").isGlobalUnicast()'), true);
  assert.equal(ev('ip("0.0.0.0").isUnspecified()'), true);
  assert.equal(ev('isIP("1.2.3")'), false);
  assert.equal(ev('isIP("::ffff:1.2.3.4")'), false);
  assert.equal(ev('cidr("10.0.0.0/8").containsIP("10.1.2.3")'), true);
  assert.equal(ev('cidr("10.0.0.0/8").containsCIDR("10.1.0.0/16")'), true);
  assert.equal(ev('cidr("10.0.0.0/16").containsCIDR("10.0.0.0/8")'), false);
  assert.equal(ev('string(cidr("10.1.2.3/8").masked())'), '10.0.0.0/8');
  assert.equal(ev('cidr("2001:db8::/32").prefixLength()'), 32n);
  assert.equal(parseIP('2001:db8:0:0:0:0:0:1').toString(), '2001:db8::1');
  assert.equal(parseIP('1:0:0:2:0:0:0:3').toString(), '1:0:0:2::3');
  assert.throws(() => parseCIDR('10.0.0.0'), /no '\/'/);
  assert.throws(() => parseIP('010.0.0.1'), /leading zero/);
});

test('url library', () => {
  assert.equal(ev('url("https://user@example.com:8443/a%20b?x=1&x=2").getHostname()'), 'example.com');
  assert.equal(ev('url("https://example.com:8443/x").getPort()'), '8443');
  assert.equal(ev('url("https://[::1]:80/").getHostname()'), '::1');
  assert.equal(ev('url("https://example.com/a%20b").getEscapedPath()'), '/a%20b');
  assert.deepEqual(ev('url("https://e.com/?x=1&x=2").getQuery()'), new Map([['x', ['1', '2']]]));
  assert.equal(ev('isURL("/relative/path")'), true);
  assert.equal(ev('isURL("not a url")'), false);
});

test('format library', () => {
  assert.equal(ev('format.dns1123Label().validate("ok-name").hasValue()'), false);
  const errs = ev('format.dns1123Label().validate("Bad_Name").value()') as string[];
  assert.match(errs[0], /^a lowercase RFC 1123 label must consist of lower case alphanumeric characters/);
  assert.equal(ev('format.named("uuid").hasValue()'), true);
  assert.equal(ev('format.named("nope").hasValue()'), false);
});

test('lists library: sum/min/max per element type, combined in operators on dyn values', () => {
  assert.equal(String(ev('[1u, 2u].sum()')), '3');
  assert.equal(ev('[1u, 2u].sum() == 3u'), true);
  assert.equal(ev('[duration("1s"), duration("2m")].sum() == duration("121s")'), true);
  assert.equal(ev('[2u, 1u].min() == 1u && [2u, 1u].max() == 2u'), true);
  assert.equal(ev('[duration("1s"), duration("1ms")].min() == duration("1ms")'), true);
  assert.equal(ev('["b", "a"].min()'), 'a');
  assert.equal(ev('[false, true].max()'), true);
  assert.throws(() => ev('[18446744073709551615u, 1u].sum()'), /Unsigned integer overflow/);
  assert.throws(() => ev('[9223372036854775807, 1].sum()'), /integer overflow/);
  assert.throws(() => ev('[[1]].min()'), /no matching overload/);
  // self is dyn at run time: two sums (or a min and a max) combined by an operator used to fail as overlapping overloads
  const withSelf = (e: string, self: unknown) => runtimeEnv.evaluate(e, { self, oldSelf: null });
  assert.equal(withSelf('self.a.sum() + self.b.sum()', { a: [3n, 4n], b: [5n, 10n] }), 22n);
  assert.equal(withSelf('self.a.sum() + self.b.sum()', { a: [1.5], b: [2.25] }), 3.75);
  assert.equal(withSelf('self.a.min() + self.b.max() == 11', { a: [3n, 4n], b: [5n, 8n] }), true);
  assert.equal(withSelf('self.a.min() < self.a.max()', { a: [2.5, 0.5] }), true);
  assert.equal(withSelf('self.a.max() - self.a.min() == 2.0', { a: [2.5, 0.5] }), true);
  assert.equal(withSelf('self.a.sum() == 0', { a: [] }), true);
});
