// Label selector strings parse as apimachinery's labels.Parse: the same accepted forms (including
// `x in ()`, which upstream reads as `x in ("")`, and `x>1`), the same messages for refusals, and
// the same matching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchLabels, parseLabelSelector } from '../../src/api/selectors.ts';
import { StatusError } from '../../src/errors.ts';

const refused = (s: string): string => {
  try { parseLabelSelector(s); } catch (e) {
    assert.ok(e instanceof StatusError && e.status.code === 400 && e.status.reason === 'BadRequest', String(e));
    return e.status.message!;
  }
  assert.fail(`${JSON.stringify(s)} was accepted`);
};
const matches = (s: string, labels: Record<string, string>) => matchLabels(parseLabelSelector(s), labels);

test('upstream\'s good strings parse (selector_test.go TestSelectorParse)', () => {
  for (const s of ['', 'x=a', 'x=a,y=b,z=c', 'x!=a,y=b', 'x=', 'x= ', 'x=,z= ', 'x= ,z= ', '!x', 'x>1', 'x>1,z<5', 'x in (a,b)', 'x notin (a)', 'x in (a,,b)', 'x in (,a)', 'notin=in', 'in in (in)']) {
    assert.doesNotThrow(() => parseLabelSelector(s), s);
  }
});

test('x in () is accepted and means x in (""), as upstream (parseValues returns the set {""})', () => {
  assert.deepEqual(parseLabelSelector('x in ()'), [{ key: 'x', op: 'in', values: [''] }]);
  assert.equal(matches('x in ()', { x: '' }), true);
  assert.equal(matches('x in ()', { x: 'a' }), false);
  assert.equal(matches('x in ()', {}), false);
  assert.equal(matches('x notin ()', { x: 'a' }), true);
  assert.equal(matches('x notin ()', { x: '' }), false);
});

test('refusals carry upstream\'s messages', () => {
  const ops = 'in, notin, =, ==, !=, gt, lt';
  const cases: [string, string][] = [
    // '|' is no symbol to the lexer: the value is "a||y", which is no label value.
    ['x=a||y=b', 'unable to parse requirement: values[0][x]: Invalid value: "a||y": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')'],
    ['x in (a b)', "unable to parse requirement: found 'b', expected: ',' or ')'"],
    ['x>', 'unable to parse requirement: values[0]: Invalid value: "": for \'Gt\', \'Lt\' operators, the value must be an integer'],
    ['!', "unable to parse requirement: found '', expected: identifier"],
    ['x!', `unable to parse requirement: found '!', expected: ${ops}`],
    ['x in (a,b))', "found ')', expected: ',' or 'end of string'"],
    ['x==a==b', "found '==', expected: ',' or 'end of string'"],
    ['!x=a', "found '=', expected: ',' or 'end of string'"],
    ['x<a', "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the value must be an integer"],
    ['x (', `unable to parse requirement: found '(', expected: ${ops}`],
    ['a,b,,', "found ',', expected: identifier after ','"],
    [',a', "found ',', expected: !, identifier, or 'end of string'"],
    ['x in (a', "unable to parse requirement: found '', expected: ',' or ')'"],
    ['x in a', "unable to parse requirement: found 'a' expected: '('"],
    ['x in (=)', "unable to parse requirement: found '=', expected: ',', ')' or identifier"],
    ['x=(', "unable to parse requirement: found '(', expected: identifier"],
    ['=', "found '=', expected: !, identifier, or 'end of string'"],
    ['a=b=c', "found '=', expected: ',' or 'end of string'"],
    ['k/', 'unable to parse requirement: <nil>: Invalid value: "k/": name part must be non-empty; name part must consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyName\',  or \'my.name\',  or \'123-abc\', regex used for validation is \'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\')'],
    ['a=b c', "found 'c', expected: ',' or 'end of string'"],
    ['x=-a', 'unable to parse requirement: values[0][x]: Invalid value: "-a": a valid label must be an empty string or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character (e.g. \'MyValue\',  or \'my_value\',  or \'12345\', regex used for validation is \'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?\')'],
  ];
  for (const [s, message] of cases) assert.equal(refused(s), message, s);
  assert.match(refused(`${'k'.repeat(70)}=v`), /^unable to parse requirement: <nil>: Invalid value: "k{70}": name part must be no more than 63 (characters|bytes)/);
});

test('matching follows Requirement.Matches, including gt and lt on integer values', () => {
  assert.equal(matches('x>1', { x: '2' }), true);
  assert.equal(matches('x>1', { x: '1' }), false);
  assert.equal(matches('x>1', { x: 'a' }), false);
  assert.equal(matches('x<5', {}), false);
  assert.equal(matches('x!=a', {}), true);
  assert.equal(matches('!x', { x: '' }), false);
  assert.equal(matches('x=', { x: '' }), true);
  assert.equal(matches('x in (a,,b)', { x: '' }), true);
});

test('a NUL where a token starts ends the selector, as in Go\'s lexer; inside a word it only ends the word', () => {
  assert.deepEqual(parseLabelSelector('a=b \u0000junk!!'), [{ key: 'a', op: 'in', values: ['b'] }]);
  assert.equal(refused('a=b\u0000junk'), "found 'junk', expected: ',' or 'end of string'");
});

test('over the API: x in () selects x="" on list and deletecollection; a bad selector is a 400 on list, watch and deletecollection and deletes nothing', async () => {
  const { startFixture, cm } = await import('./fixture.ts');
  const f = await startFixture();
  try {
    const ns = await f.ns('sel');
    await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('empty', {}, { x: '' }));
    await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('full', {}, { x: 'a' }));
    await f.api.post(`/api/v1/namespaces/${ns}/configmaps`).send(cm('none'));
    const base = `/api/v1/namespaces/${ns}/configmaps`;
    const names = async () => (await f.api.get(base)).body.items.map((i: any) => i.metadata.name).sort();
    for (const bad of ['x in (a', 'a,b,,', 'x>', '=']) {
      for (const [verb, path] of [['get', base], ['get', `${base}?watch=1`], ['delete', base]] as const) {
        const sep = path.includes('?') ? '&' : '?';
        const r = await f.api[verb](`${path}${sep}labelSelector=${encodeURIComponent(bad)}`);
        assert.equal(r.status, 400, `${verb} ${path} ${bad}`);
        assert.equal(r.body.kind, 'Status');
        assert.equal(r.body.message, refused(bad));
      }
    }
    assert.deepEqual(await names(), ['empty', 'full', 'none']);
    const listed = await f.api.get(`${base}?labelSelector=${encodeURIComponent('x in ()')}`);
    assert.deepEqual(listed.body.items.map((i: any) => i.metadata.name), ['empty']);
    const deleted = await f.api.delete(`${base}?labelSelector=${encodeURIComponent('x in ()')}`);
    assert.equal(deleted.status, 200);
    assert.deepEqual(await names(), ['full', 'none']);
  } finally {
    await f.stop();
  }
});
