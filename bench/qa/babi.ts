// EVALUATION ONLY: training must not use these lists, verbs or stories.
//
// bAbI-like stories (Weston et al. 2015, "Towards AI-complete question answering", tasks 1 and 2)
// made by our own code, no dataset download. QA1, single supporting fact: people move between
// rooms; "Where is <person>?" is answered by that person's LAST move. QA2, two supporting facts:
// people also pick up and drop an object; "Where is the <object>?" is answered by where its holder
// is now, or, if it was dropped, where the person who dropped it was when they dropped it.
// bench/qa/babiSets.ts hides the sentences in a long book, BABILong-style.
//
// The same rules (replay) give the labels of a generated story and the bench's "latest mention"
// baseline, which replays only the lines the engine cited.

// First names, objects: checked absent (as whole words, any case) from both evaluation books, the
// KJV and linux-doc's Documentation, so that no book line takes part in a story (babiSets.ts
// checks each haystack again).
export const PEOPLE: readonly string[] = [
  'Ottoline', 'Peregrine', 'Araminta', 'Leopold', 'Isolde', 'Casimir', 'Rosalind', 'Fitzroy', 'Evangeline', 'Lysander',
  'Philippa', 'Clementine', 'Ignatius', 'Mirabel', 'Octavian', 'Seraphina', 'Wendeline', 'Ferdinand', 'Genevieve', 'Hortensia',
  'Lucasta', 'Marmaduke', 'Nerissa', 'Rowena', 'Theodora', 'Ulrika', 'Valentina', 'Winifred', 'Xanthe', 'Yolanda',
  'Zenobia', 'Aurelio', 'Bertrand', 'Cordelia', 'Dorothea', 'Emeric', 'Gwendolyn', 'Horatio', 'Imogen', 'Jacinta',
  'Kasimir', 'Leofric', 'Melisande', 'Norbert', 'Ophelia', 'Rosamund', 'Ursula', 'Violetta', 'Wilfred', 'Ximena',
  'Yvaine', 'Anselm', 'Beatrix', 'Cosima', 'Desmond', 'Eglantine', 'Griselda', 'Hildegard', 'Isadora', 'Jocasta',
  'Lavinia', 'Leontine', 'Oriana', 'Percival', 'Quirina', 'Reginald', 'Sidonie', 'Tancred', 'Umberto', 'Ambrose',
  'Cressida', 'Delphine', 'Ermengarde', 'Fenella', 'Gaspard', 'Honoria', 'Ingram', 'Kenelm', 'Lorcan', 'Morwenna',
  'Ninian', 'Orsolya', 'Pomona', 'Radegund', 'Svetlana', 'Thorvald', 'Ulysses', 'Vespera', 'Wystan',
];
export const OBJECTS: readonly string[] = [
  'football', 'satchel', 'teapot', 'harmonica', 'binoculars', 'skateboard', 'thermos', 'suitcase', 'telescope', 'accordion',
  'snowglobe', 'paintbrush', 'hairbrush', 'teacup', 'saxophone', 'rucksack', 'xylophone', 'birdcage', 'scarf', 'thimble',
  'stopwatch', 'wheelbarrow', 'paperweight', 'tambourine',
];
// bAbI's rooms and a few more; "garden" and "office" also occur in the books, as they would in a novel.
export const LOCATIONS: readonly string[] = ['kitchen', 'garden', 'hallway', 'office', 'bathroom', 'bedroom', 'cellar', 'attic', 'pantry', 'balcony'];
const MOVE_VERBS = ['went to', 'moved to', 'journeyed to', 'travelled to', 'went back to'];
const TAKE_VERBS = ['picked up', 'got', 'grabbed', 'took'];
const DROP_VERBS = ['dropped', 'put down', 'discarded', 'left'];

export type Task = 'qa1' | 'qa2';

export type StoryEvent =
  | { readonly kind: 'move'; readonly person: string; readonly location: string }
  | { readonly kind: 'take' | 'drop'; readonly person: string; readonly object: string };

export interface Story {
  readonly task: Task;
  readonly sentences: readonly string[];
  readonly events: readonly StoryEvent[];
  /** "Where is Ottoline?" / "Where is the football?" */
  readonly question: string;
  /** The person (qa1) or object (qa2) asked about. */
  readonly subject: string;
  /** The location word. */
  readonly answer: string;
  /** Index (in `sentences`) of the move that holds the answer word. */
  readonly deciding: number;
  /** Indices of every supporting sentence: the deciding move, and for qa2 the object's last take or drop. */
  readonly supporting: readonly number[];
  /** Every person the story names. */
  readonly people: readonly string[];
}

export interface Label {
  readonly answer: string;
  readonly deciding: number;
  readonly supporting: readonly number[];
}

/**
 * bAbI's rules over events in story order: where `person` is (their last move), or where
 * `object` is (its holder's last move if someone holds it; else its holder's location when it
 * was last dropped). Undefined when the events do not say (no move, or never taken).
 */
export function replay(events: readonly StoryEvent[], ask: { readonly person: string } | { readonly object: string }): Label | undefined {
  const at = new Map<string, number>(); // person → index of their last move
  let holder: string | undefined;
  let handled: number | undefined; // index of the object's last take or drop
  let dropped: number | undefined; // the dropper's move in force when the object was last dropped
  events.forEach((e, i) => {
    if (e.kind === 'move') { at.set(e.person, i); return; }
    if (!('object' in ask) || e.object !== ask.object) return;
    handled = i;
    if (e.kind === 'take') { holder = e.person; dropped = undefined; return; }
    dropped = at.get(e.person);
    holder = undefined;
  });
  const move = 'person' in ask ? at.get(ask.person) : holder !== undefined ? at.get(holder) : dropped;
  if (move === undefined) return undefined;
  const e = events[move]!;
  if (e.kind !== 'move') return undefined;
  return { answer: e.location, deciding: move, supporting: handled === undefined ? [move] : [move, handled].sort((a, b) => a - b) };
}

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** The sentence of an event, with one of its verbs drawn by `rand`. */
export function sentenceOf(e: StoryEvent, rand: () => number): string {
  if (e.kind === 'move') return `${e.person} ${pick(rand, MOVE_VERBS)} the ${e.location}.`;
  return `${e.person} ${pick(rand, e.kind === 'take' ? TAKE_VERBS : DROP_VERBS)} the ${e.object}.`;
}

const alternation = (xs: readonly string[]): string => xs.map((x) => x.replace(/ /g, '\\s+')).join('|');
const MOVE_LINE = new RegExp(`^\\s*([A-Z][a-z]+)\\s+(?:${alternation(MOVE_VERBS)})\\s+the\\s+(${alternation(LOCATIONS)})\\.\\s*$`);
const OBJECT_LINE = new RegExp(`^\\s*([A-Z][a-z]+)\\s+(${alternation(TAKE_VERBS)}|${alternation(DROP_VERBS)})\\s+the\\s+(${alternation(OBJECTS)})\\.\\s*$`);

/** The event a line states, if it is a story sentence; undefined for any other line. */
export function parseSentence(line: string): StoryEvent | undefined {
  const m = MOVE_LINE.exec(line);
  if (m) return { kind: 'move', person: m[1]!, location: m[2]! };
  const o = OBJECT_LINE.exec(line);
  if (!o) return undefined;
  const verb = o[2]!.replace(/\s+/g, ' ');
  return { kind: TAKE_VERBS.includes(verb) ? 'take' : 'drop', person: o[1]!, object: o[3]! };
}

/** Sentences a story has, at least and at most (bAbI's stories before a question are about this long). */
export const MIN_SENTENCES = 4;
export const MAX_SENTENCES = 10;

/**
 * A QA1 story about `people` (2 or more): 4-10 moves, each a person going somewhere they are not;
 * the question asks about someone who moved at least twice, so an earlier move is a wrong answer.
 */
export function qa1Story(rand: () => number, people: readonly string[]): Story {
  const n = MIN_SENTENCES + Math.floor(rand() * (MAX_SENTENCES - MIN_SENTENCES + 1));
  for (;;) {
    const events: StoryEvent[] = [];
    const where = new Map<string, string>();
    for (let i = 0; i < n; i++) {
      const person = pick(rand, people);
      const location = pick(rand, LOCATIONS.filter((l) => l !== where.get(person)));
      where.set(person, location);
      events.push({ kind: 'move', person, location });
    }
    const movers = people.filter((p) => events.filter((e) => e.person === p).length >= 2);
    if (movers.length === 0) continue;
    const person = pick(rand, movers);
    const label = replay(events, { person })!;
    return { task: 'qa1', sentences: events.map((e) => sentenceOf(e, rand)), events, question: `Where is ${person}?`, subject: person, ...label, people: [...people] };
  }
}

/**
 * A QA2 story about `people` and one `object`: 4-10 events, moves and the object taken and
 * dropped. Only someone who has moved somewhere takes it, and, once it was dropped, only someone
 * in the room where it lies. It is taken at least once, so the question has an answer.
 */
export function qa2Story(rand: () => number, people: readonly string[], object: string): Story {
  const n = MIN_SENTENCES + Math.floor(rand() * (MAX_SENTENCES - MIN_SENTENCES + 1));
  for (;;) {
    const events: StoryEvent[] = [];
    const where = new Map<string, string>();
    let holder: string | undefined;
    let lies: string | undefined; // the room the object was dropped in
    for (let i = 0; i < n; i++) {
      const takers = holder === undefined ? people.filter((p) => where.has(p) && (lies === undefined || where.get(p) === lies)) : [];
      const r = rand();
      if (holder !== undefined && r < 0.3) {
        events.push({ kind: 'drop', person: holder, object });
        lies = where.get(holder);
        holder = undefined;
      } else if (takers.length > 0 && r < 0.4) {
        holder = pick(rand, takers);
        events.push({ kind: 'take', person: holder, object });
      } else {
        const person = pick(rand, people);
        const location = pick(rand, LOCATIONS.filter((l) => l !== where.get(person)));
        where.set(person, location);
        events.push({ kind: 'move', person, location });
      }
    }
    const label = replay(events, { object });
    if (!label || !events.some((e) => e.kind === 'take')) continue;
    return { task: 'qa2', sentences: events.map((e) => sentenceOf(e, rand)), events, question: `Where is the ${object}?`, subject: object, ...label, people: [...people] };
  }
}
