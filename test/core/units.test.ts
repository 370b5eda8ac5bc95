// Definition units (src/core/structure/units.ts): which lines a function, a method and a class
// hold and cite, the cap on long definitions, the BM25 ranking of units, and the saved section's
// round trip and refusal of damage.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { structureOf } from '../../src/core/structure/index';
import { definitionUnits, MAX_UNIT_LINES, UnitIndex, type UnitText } from '../../src/core/structure/units';
import { FIXTURE_CODEBASE } from './helpers';

const SOURCE = [
  'import os',                                        // 1
  '',                                                 // 2
  'class Ledger(object):',                            // 3
  '    """Keeps the accounts of a shop."""',          // 4
  '    currency = "EUR"',                             // 5
  '',                                                 // 6
  '    def balance(self, account):',                  // 7
  '        """Sum of the postings of an account."""', // 8
  '        return sum(p.amount for p in account)',    // 9
  '',                                                 // 10
  '    rounding = 2',                                 // 11
  '',                                                 // 12
  'def checksum(payload):',                           // 13
  '    total = 0',                                    // 14
  '    for byte in payload:',                         // 15
  '        total = (total + byte) % 65521',           // 16
  '    return total',                                 // 17
  '',                                                 // 18
  'LIMIT = 10',                                       // 19
].join('\n');

async function unitsOf(path: string, text: string): Promise<UnitText[]> {
  const s = await structureOf(path, text);
  assert.ok(s, `${path} parses`);
  return definitionUnits(s, text.split('\n'));
}

test('a function or method cites its own lines; a class cites its lines up to its first method and holds its other own lines', async () => {
  const units = await unitsOf('shop.py', SOURCE);
  const by = new Map(units.map((u) => [u.unit.qualifiedName, u]));
  assert.deepEqual([...by.keys()], ['Ledger', 'Ledger.balance', 'checksum'], 'variables are no units');
  const cls = by.get('Ledger')!;
  assert.deepEqual([cls.unit.startLine, cls.unit.endLine, cls.unit.kind], [3, 5, 'class'], 'the blank line before the method is not cited');
  assert.match(cls.text, /rounding = 2/, 'a field after the methods is the class\'s own text');
  assert.doesNotMatch(cls.text, /sum of the postings|return sum/i, 'the method\'s lines are not the class\'s');
  assert.deepEqual([by.get('Ledger.balance')!.unit.startLine, by.get('Ledger.balance')!.unit.endLine], [7, 9]);
  const f = by.get('checksum')!;
  assert.deepEqual([f.unit.startLine, f.unit.endLine, f.unit.kind], [13, 17, 'function']);
  assert.equal(f.text, SOURCE.split('\n').slice(12, 17).join('\n'));
});

test(`a definition longer than ${MAX_UNIT_LINES} lines holds and cites its first ${MAX_UNIT_LINES}`, async () => {
  const body = Array.from({ length: 150 }, (_, i) => `    step_${i} = ${i}`);
  const text = ['def long_one():', ...body, '    return 0', ''].join('\n');
  const [u] = await unitsOf('long.py', text);
  assert.ok(u);
  assert.deepEqual([u.unit.startLine, u.unit.endLine], [1, MAX_UNIT_LINES]);
  assert.equal(u.text.split('\n').length, MAX_UNIT_LINES);
  assert.doesNotMatch(u.text, /step_100/);
});

test('TypeScript: a class\'s methods and a top-level arrow function are units; the class cites its head', async () => {
  const text = [
    '/** Parses headers. */',
    'export class HeaderParser {',
    '  private seen = 0;',
    '  /** Reads one header line. */',
    '  parseLine(line: string): string {',
    '    return line.trim();',
    '  }',
    '}',
    'export const crc = (bytes: Uint8Array): number => bytes.length;',
  ].join('\n');
  const units = await unitsOf('parser.ts', text);
  const by = new Map(units.map((u) => [u.unit.qualifiedName, u.unit]));
  assert.deepEqual(by.get('HeaderParser') && [by.get('HeaderParser')!.startLine, by.get('HeaderParser')!.endLine], [1, 3]);
  assert.deepEqual(by.get('HeaderParser.parseLine') && [by.get('HeaderParser.parseLine')!.startLine, by.get('HeaderParser.parseLine')!.endLine], [4, 7]);
  assert.deepEqual(by.get('crc') && [by.get('crc')!.startLine, by.get('crc')!.endLine], [9, 9]);
});

test('prose has no units', async () => {
  assert.deepEqual(await unitsOf('notes.md', '# Title\n\nSome words about checksums.\n\n## More\n\nText.\n'), []);
});

/** A key that is 1 on dimension `i % 4`: enough to tell units apart by key. */
const axisKey = (i: number) => (text: string): Float32Array => {
  const k = new Float32Array(4);
  k[(text.length + i) % 4] = 1;
  return k;
};

test('the unit index ranks a function by its words, round-trips through its bytes and refuses damage', async () => {
  const shlex = await readFile(join(FIXTURE_CODEBASE, 'py', 'shlex.py'), 'utf8');
  const index = new UnitIndex(4);
  index.set('shop.py', 'sha-shop', await unitsOf('shop.py', SOURCE), axisKey(0));
  index.set('py/shlex.py', 'sha-shlex', await unitsOf('py/shlex.py', shlex), axisKey(1));
  index.set('empty.py', 'sha-empty', [], axisKey(2));
  const top = index.query('checksum of a payload, byte by byte', 3)[0];
  assert.deepEqual(top && [top.path, top.unit.qualifiedName, top.unit.startLine], ['shop.py', 'checksum', 13]);
  assert.deepEqual(index.missing([{ path: 'empty.py', sha1: 'sha-empty' }, { path: 'shop.py', sha1: 'changed' }, { path: 'notes.md', sha1: 'x' }]), ['shop.py'],
    'a file without units is remembered as parsed; prose never has units');

  const bytes = index.serialize();
  const again = UnitIndex.deserialize(bytes, 4);
  assert.deepEqual(again.serialize(), bytes);
  assert.deepEqual(again.query('checksum of a payload, byte by byte', 3), index.query('checksum of a payload, byte by byte', 3));
  assert.deepEqual(again.get('py/shlex.py')!.keys, index.get('py/shlex.py')!.keys);
  assert.ok(again.get('shop.py')!.keys.some((v) => v === 127), 'keys are stored quantised');

  assert.throws(() => UnitIndex.deserialize(bytes, 8), /width/);
  assert.throws(() => UnitIndex.deserialize(bytes.subarray(0, bytes.length >> 1), 4));
  const wrongMagic = bytes.slice();
  wrongMagic[0] ^= 0xff;
  assert.throws(() => UnitIndex.deserialize(wrongMagic, 4), /not a unit index/);
  index.remove('shop.py');
  assert.equal(index.query('checksum payload', 3).filter((h) => h.path === 'shop.py').length, 0);
});
