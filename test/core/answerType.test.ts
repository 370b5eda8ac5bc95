// The answer-type check of span answers (src/core/answerType.ts) and the grouping of spans by the
// answer they make (src/core/span.ts bestInRow with answerOf), on texts whose answer is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedType, fitsType, mentionsNames, questionNames, shapeAnswer } from '../../src/core/answerType';
import { bestInRow } from '../../src/core/span';

test('a question asks for a name, a place, a number or a time by its wh-phrase; others name no type', () => {
  assert.equal(expectedType('Who guided the salt traders through the desert?'), 'person');
  assert.equal(expectedType('And whom did the king send?'), 'person');
  assert.equal(expectedType('How deep is the well behind the old mill?'), 'number');
  assert.equal(expectedType('What number opens the cellar door?'), 'number');
  assert.equal(expectedType('How much does the oil lamp cost?'), 'number');
  assert.equal(expectedType('At what time does the boat for Kelmarsh depart?'), 'time');
  assert.equal(expectedType('Where does Edric Vane keep the lantern?'), 'place');
  assert.equal(expectedType('Which town is Lenora Pike from?'), 'place');
  assert.equal(expectedType('What password do the lamplighters use?'), undefined);
  // "who" inside a clause is not what the question asks for
  assert.equal(expectedType('What did the man who sold the mill buy?'), undefined);
  assert.equal(expectedType('Which town is the man who sold the mill from?'), 'place');
});

test('a span fits a type only with a word of that type the question does not hold', () => {
  const q = 'Who guided the salt traders through the desert?';
  assert.equal(fitsType('person', 'Alaric Stone', q), true);
  assert.equal(fitsType('person', 'caravan', q), false);
  assert.equal(fitsType('person', 'The caravan', q), false); // a sentence-opening word is no name
  assert.equal(fitsType('number', 'exactly 34280 cubits', 'How deep is the well?'), true);
  assert.equal(fitsType('number', 'twenty-five', 'How many?'), true);
  assert.equal(fitsType('number', 'the well', 'How deep is the well?'), false);
  assert.equal(fitsType('time', 'half past six', 'At what time does the ferry leave?'), true);
  assert.equal(fitsType('time', 'ferry', 'At what time does the boat leave?'), false);
  assert.equal(fitsType('place', 'hidden in Kelmarsh', 'Where does Edric Vane keep the lantern?'), true);
  assert.equal(fitsType('place', 'Edric Vane', 'Where does Edric Vane keep the lantern?'), false);
  assert.equal(fitsType(undefined, 'anything at all', 'Why?'), true);
});

test('a name answer is the whole name; a time answer is the whole time expression', () => {
  const fact = 'The caravan of the lamplighters was led across the desert by a guide called Alaric Stone.';
  const q = 'Who guided the salt traders through the desert?';
  const slice = (r: { start: number; end: number }, text: string): string => text.slice(r.start, r.end);
  const called = fact.indexOf('called');
  assert.equal(slice(shapeAnswer('person', fact, called, called + 'called Alaric'.length, q), fact), 'Alaric Stone');
  const stone = fact.indexOf('Stone');
  assert.equal(slice(shapeAnswer('person', fact, stone, stone + 5, q), fact), 'Alaric Stone');
  const ferry = 'The ferry to Kelmarsh leaves the harbour at twenty past five each morning.';
  const tq = 'At what time does the boat for Kelmarsh depart?';
  const past = ferry.indexOf('past');
  assert.equal(slice(shapeAnswer('time', ferry, past, past + 'past five each morning'.length, tq), ferry), 'twenty past five');
  const quarter = 'It leaves at a quarter to eight, then again at noon.';
  const a = quarter.indexOf('at a');
  assert.equal(slice(shapeAnswer('time', quarter, a, a + 'at a quarter'.length, tq), quarter), 'a quarter to eight');
  const hidden = 'Edric Vane keeps the spare lantern hidden in Port Idris, they say.';
  const h = hidden.indexOf('hidden');
  assert.equal(slice(shapeAnswer('place', hidden, h, h + 'hidden in Port'.length, 'Where does Edric Vane keep the lantern?'), hidden), 'Port Idris');
  // other types keep the span as it is
  assert.deepEqual(shapeAnswer('number', ferry, 4, 9, 'How many?'), { start: 4, end: 9 });
});

test('a passage that never names whom the question names cannot answer it', () => {
  assert.deepEqual(questionNames("Which town is Lenora Pike's sister from?"), ['lenora', 'pike']);
  assert.equal(mentionsNames('Which town is Lenora Pike from?', 'Records show that Lenora Pike was born in Wexmoor.'), true);
  assert.equal(mentionsNames('Which town is Lenora Pike from?', 'Records show that Oswin Thorne was born in Wexmoor.'), false);
  assert.equal(mentionsNames('What number opens the cellar door?', 'The pass key for the north gate is 12345.'), true);
});

test('spans are grouped by the answer they make: many spans of one answer beat one stronger span', () => {
  // 1 question position, then 4 passage tokens; spans (s, e) with e < s + 2
  // (logits: (0, 0) scores 3 + 3 = 6; (1, 1), (1, 2) and (2, 2) score 5.2 each, together 6.3)
  const start = Float32Array.from([0, 3, 2.6, 2.6, -9]);
  const end = Float32Array.from([0, 3, 2.6, 2.6, -9]);
  // Without grouping the best single span is (0, 0): log p(start 0) is highest.
  const plain = bestInRow(start, end, 1, 4, 2);
  assert.deepEqual([plain.start, plain.end], [0, 0]);
  // Tokens 1..2 make one answer however they are cut; token 0 is another; token 3 none (wrong type).
  const answerOf = (s: number, e: number): string | undefined => (s >= 1 && e <= 2 ? 'B' : s === 0 && e === 0 ? 'A' : undefined);
  const grouped = bestInRow(start, end, 1, 4, 2, undefined, answerOf);
  assert.ok(grouped.start >= 1 && grouped.end <= 2, `grouped answer at ${grouped.start}..${grouped.end}`);
  // B's three spans together (log 3 + their score) against A's one, on the same normalisation
  assert.ok(Math.abs(grouped.logProb - plain.logProb - (Math.log(3) + 5.2 - 6)) < 1e-5);
  // its probability is that of all its spans, at most the accepted mass
  assert.ok(grouped.logProb <= grouped.logMass + 1e-12);
  assert.ok(grouped.logProb > plain.logProb);
});
