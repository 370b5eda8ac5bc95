// The bAbI-like stories of the QA evaluation (bench/qa/babi.ts, babiSets.ts, babiScore.ts) carry
// the right labels: QA1's answer is the person's LAST move, QA2's the room where the object is by
// bAbI's rules (with its holder, or where it was dropped), checked on stories written by hand, on
// fixed seeds with known answers, and against an independent forward simulation of the world. A
// story hidden in a haystack keeps its order and lines; the latest-mention baseline replays only
// what was cited.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../bench/corpus';
import { LOCATIONS, parseSentence, qa1Story, qa2Story, replay, sentenceOf, type StoryEvent } from '../../bench/qa/babi';
import { babiExtra, type FirstCited } from '../../bench/qa/babiScore';
import { babiQuestions, hideStories, makeStories } from '../../bench/qa/babiSets';
import { cutBook } from '../../bench/qa/books';
import { formatQaSection, groupSummaries } from '../../bench/qa/report';
import type { Outcome } from '../../bench/qa/run';

const move = (person: string, location: string): StoryEvent => ({ kind: 'move', person, location });
const take = (person: string, object: string): StoryEvent => ({ kind: 'take', person, object });
const drop = (person: string, object: string): StoryEvent => ({ kind: 'drop', person, object });

test('QA1: the last move decides, not the first or the most frequent', () => {
  const events = [move('Ann', 'kitchen'), move('Bo', 'garden'), move('Ann', 'office'), move('Bo', 'kitchen'), move('Ann', 'kitchen'), move('Ann', 'attic')];
  assert.deepEqual(replay(events, { person: 'Ann' }), { answer: 'attic', deciding: 5, supporting: [5] });
  assert.deepEqual(replay(events, { person: 'Bo' }), { answer: 'kitchen', deciding: 3, supporting: [3] });
  assert.equal(replay(events, { person: 'Cy' }), undefined, 'someone who never moved has no answer');
});

test('QA2: the object is with its holder, or where the one who dropped it was when they dropped it', () => {
  // Held: it goes where the holder goes.
  assert.deepEqual(replay([move('Ann', 'office'), take('Ann', 'kite'), move('Ann', 'kitchen')], { object: 'kite' }), { answer: 'kitchen', deciding: 2, supporting: [1, 2] });
  // Dropped: it stays where it was dropped, whatever the dropper does next.
  assert.deepEqual(replay([move('Ann', 'office'), take('Ann', 'kite'), move('Ann', 'kitchen'), drop('Ann', 'kite'), move('Ann', 'garden')], { object: 'kite' }),
    { answer: 'kitchen', deciding: 2, supporting: [2, 3] });
  // Taken again by someone else, who moves on with it.
  assert.deepEqual(replay([move('Ann', 'office'), take('Ann', 'kite'), drop('Ann', 'kite'), move('Bo', 'office'), take('Bo', 'kite'), move('Bo', 'cellar'), move('Ann', 'attic')], { object: 'kite' }),
    { answer: 'cellar', deciding: 5, supporting: [4, 5] });
  // Another object's events and other people's moves change nothing.
  assert.deepEqual(replay([move('Ann', 'office'), take('Ann', 'kite'), move('Bo', 'attic'), take('Bo', 'scarf'), move('Bo', 'hallway')], { object: 'kite' }), { answer: 'office', deciding: 0, supporting: [0, 1] });
  assert.equal(replay([move('Ann', 'office')], { object: 'kite' }), undefined, 'never taken: no answer');
});

test('every sentence a story can have parses back to its event, and book lines parse to nothing', () => {
  const rand = prng(7);
  for (let i = 0; i < 300; i++) {
    for (const e of [move('Ottoline', LOCATIONS[i % LOCATIONS.length]!), take('Peregrine', 'teapot'), drop('Araminta', 'thermos')]) assert.deepEqual(parseSentence(sentenceOf(e, rand)), e);
  }
  for (const line of ['And Isaac went to the garden.', 'Ottoline went to the kitchen and wept.', 'the kernel moved to the office.', '']) assert.equal(parseSentence(line), undefined, line);
});

test('fixed seeds give known stories and answers', () => {
  const a = qa1Story(prng(1), ['Ottoline', 'Peregrine', 'Araminta']);
  assert.deepEqual(a.sentences, [
    'Ottoline moved to the bedroom.', 'Araminta travelled to the balcony.', 'Ottoline moved to the cellar.', 'Araminta went to the office.',
    'Araminta went to the bedroom.', 'Peregrine journeyed to the garden.', 'Peregrine journeyed to the office.', 'Ottoline travelled to the bathroom.',
  ]);
  assert.equal(a.question, 'Where is Ottoline?');
  assert.equal(a.answer, 'bathroom');
  assert.equal(a.deciding, 7);
  const b = qa2Story(prng(2), ['Ottoline', 'Peregrine'], 'football');
  assert.deepEqual(b.sentences, [
    'Ottoline went back to the bedroom.', 'Peregrine journeyed to the bathroom.', 'Peregrine grabbed the football.', 'Peregrine left the football.',
    'Ottoline moved to the office.', 'Peregrine journeyed to the garden.', 'Ottoline moved to the balcony.', 'Peregrine went to the kitchen.', 'Ottoline journeyed to the kitchen.',
  ]);
  assert.equal(b.question, 'Where is the football?');
  // Peregrine took it in the bathroom and left it there, then walked on without it.
  assert.equal(b.answer, 'bathroom');
  assert.deepEqual(b.supporting, [1, 3]);
});

/** Where the object is after every event, simulated forward (not with replay): it travels with its holder. */
function simulate(events: readonly StoryEvent[], object: string): string | undefined {
  const where = new Map<string, string>();
  let holder: string | undefined;
  let at: string | undefined;
  for (const e of events) {
    if (e.kind === 'move') {
      where.set(e.person, e.location);
      if (e.person === holder) at = e.location;
    } else if (e.object === object) {
      if (e.kind === 'take') {
        assert.ok(where.has(e.person), 'only someone who is somewhere takes it');
        if (at !== undefined) assert.equal(where.get(e.person), at, 'only someone in the room where it lies takes it');
        holder = e.person;
        at = where.get(e.person);
      } else {
        assert.equal(e.person, holder, 'only its holder drops it');
        holder = undefined;
      }
    }
  }
  return at;
}

test('generated stories on 400 seeds: QA1 labels are the last move, QA2 labels match a forward simulation', () => {
  for (let seed = 0; seed < 400; seed++) {
    const people = ['Ottoline', 'Peregrine', 'Araminta'].slice(0, 2 + (seed % 2));
    const a = qa1Story(prng(seed), people);
    assert.ok(a.sentences.length >= 4 && a.sentences.length <= 10);
    const own = a.sentences.map((s, i) => [s, i] as const).filter(([s]) => s.startsWith(`${a.subject} `));
    assert.ok(own.length >= 2, `seed ${seed}: the person asked about moved at least twice`);
    assert.equal(a.deciding, own.at(-1)![1], `seed ${seed}: the deciding sentence is the person's last`);
    assert.ok(a.sentences[a.deciding]!.endsWith(` the ${a.answer}.`));
    const before = a.events[own.at(-2)![1]]!;
    assert.ok(before.kind === 'move' && before.location !== a.answer, `seed ${seed}: the person's move before the last went elsewhere`);
    const b = qa2Story(prng(seed), people, 'teapot');
    assert.ok(b.sentences.length >= 4 && b.sentences.length <= 10);
    assert.deepEqual(b.sentences.map((s) => parseSentence(s)), b.events, 'the sentences say the events');
    assert.equal(b.answer, simulate(b.events, 'teapot'), `seed ${seed}: ${b.sentences.join(' ')}`);
    assert.ok(b.sentences[b.deciding]!.endsWith(` the ${b.answer}.`) && b.events[b.deciding]!.kind === 'move');
  }
});

const book = Array.from({ length: 2000 }, (_, i) => `Ge${i}:1 And it came to pass on day ${i} that Ottoline went to the kitchen.`).join('\n');

test('hidden stories keep their order, each sentence on its own line; the book text around them is unchanged', () => {
  const haystack = cutBook(book, 60_000, 0);
  const rand = prng(3);
  const stories = makeStories(haystack, 6, rand);
  assert.equal(stories.length, 12);
  const cast = stories.flatMap((s) => s.people);
  assert.equal(new Set(cast).size, cast.length, 'no person in two stories');
  assert.ok(!cast.includes('Ottoline'), 'a name the book already mentions is never used');
  const objects = stories.filter((s) => s.task === 'qa2').map((s) => s.subject);
  assert.equal(new Set(objects).size, 6);
  const { text, hidden } = hideStories(haystack, stories, rand);
  const lines = text.split('\n');
  const inserted = new Set<number>();
  for (const h of hidden) {
    h.lines.forEach((line, k) => {
      assert.equal(lines[line - 1], h.story.sentences[k]);
      inserted.add(line);
      if (k > 0) assert.ok(line > h.lines[k - 1]!, 'in story order');
    });
  }
  assert.equal(lines.filter((_, i) => !inserted.has(i + 1)).join('\n'), haystack, 'removing the sentences gives the book back');
  // Spread across the whole haystack, not bunched.
  const all = [...inserted].sort((a, b) => a - b);
  assert.ok(all[0]! < lines.length / 4 && all.at(-1)! > (3 * lines.length) / 4);
  const questions = babiQuestions('kjv/qa1/16k#0', 'kjv.txt', hidden, 'qa1');
  assert.equal(questions.length, 6);
  for (const q of questions) {
    const deciding = lines[q.answers[0]!.startLine - 1]!;
    assert.ok(deciding.startsWith(`${q.subject} `) && deciding.endsWith(` the ${q.value}.`), deciding);
  }
});

test('latest-mention baseline: bAbI rules over the cited lines only, in file order', () => {
  const file = ['book', 'Ann went to the kitchen.', 'book', 'Ann moved to the attic.', 'Ann picked up the teapot.', 'Bo went to the cellar.', 'Ann went to the garden.', 'book'];
  const lines = (): string[] => file;
  const at = (l: number) => ({ path: 'b.txt', startLine: l, endLine: l });
  const qa1 = { id: 'q', kind: 'qa1' as const, question: 'Where is Ann?', value: 'garden', subject: 'Ann', answers: [at(7)], story: [2, 4, 5, 6, 7].map(at) };
  // Only the earlier moves cited (the later one first): the latest of them, the attic; the first citation is an earlier move.
  assert.deepEqual(babiExtra(qa1, [at(4), at(2)], lines), { latestMentionAnswer: 'attic', latestMention: false, firstCited: 'same story' });
  // The deciding line cited last still wins: file order, not rank.
  assert.deepEqual(babiExtra(qa1, [at(2), { path: 'b.txt', startLine: 3, endLine: 4 }, at(7)], lines), { latestMentionAnswer: 'garden', latestMention: true, firstCited: 'same story' });
  assert.deepEqual(babiExtra(qa1, [at(7)], lines).firstCited, 'deciding');
  assert.deepEqual(babiExtra(qa1, [at(1)], lines), { latestMentionAnswer: undefined, latestMention: false, firstCited: 'book text' });
  const qa2 = { id: 'q2', kind: 'qa2' as const, question: 'Where is the teapot?', value: 'garden', subject: 'teapot', answers: [at(7)], story: [2, 4, 5, 6, 7].map(at) };
  // The take alone says nothing of where; with the holder's moves cited, the latest of them.
  assert.equal(babiExtra(qa2, [at(5)], lines).latestMentionAnswer, undefined);
  assert.equal(babiExtra(qa2, [at(5), at(4)], lines).latestMentionAnswer, 'attic');
  assert.deepEqual(babiExtra(qa2, [at(5), at(7), at(4)], lines), { latestMentionAnswer: 'garden', latestMention: true, firstCited: 'same story' });
  assert.equal(babiExtra({ ...qa2, story: [at(2)] }, [at(6)], lines).firstCited, 'other story');
});

test('report: bAbI sets get their own table (exact, baseline, first citation counts) and stay out of the books table', () => {
  const outcome = (id: string, exact: boolean, latestMention: boolean, firstCited: FirstCited): Outcome => ({
    id, mode: 'auto', top1File: true, top1Lines: firstCited === 'deciding', reciprocalRank: firstCited === 'deciding' ? 1 : 0.5, citations: 5, retrievalMs: 3, answerMs: 4,
    exact, answerKind: exact ? 'span' : 'passages', latestMention, firstCited,
  });
  const set = { name: 'kjv/qa1/16k#0', group: 'kjv/qa1/16k', source: 'kjv', split: 'test' as const, kind: 'babi' as const, workspace: 'w', tokens: 16_000, questions: 4 };
  const read = { seconds: 1, tokens: 15_000, filesRead: 1, filesReused: 0, skipped: [] };
  const outcomes = [outcome('a/0', true, true, 'deciding'), outcome('a/1', false, true, 'same story'), outcome('a/2', false, false, 'same story'), outcome('a/3', false, true, 'book text')];
  const [group] = groupSummaries([{ set, read, outcomes }], () => undefined);
  assert.equal(group!.modes.auto!.exact, 0.25);
  assert.equal(group!.modes.auto!.latestMention, 0.75);
  assert.equal(group!.modes.auto!.cited, 1);
  assert.deepEqual(group!.modes.auto!.firstCited, { deciding: 1, 'same story': 2, 'book text': 1 });
  const section = formatQaSection({ command: 'c', date: 'd', minutes: 1, model: 'm', quick: false, modes: ['auto'], load: 'l', groups: [group!], notRun: [] });
  const row = section.split('\n').find((l) => l.startsWith('| kjv/qa1/16k |'))!;
  assert.equal(row, '| kjv/qa1/16k | test | 16k × 1 (15,000 read a haystack) | 4 | **25.0** | 25.0 | 25.0 | 100.0 | 75.0 | 1 · 2 · 0 · 1 | 3/3 |');
  assert.ok(section.indexOf(row) > section.indexOf('### Books: bAbI'), 'in the bAbI table');
  assert.match(section, /### Books: planted facts\n\n[^\n]*\n[^\n]*\n\| \(not run\)/, 'not in the planted-facts table');
});
