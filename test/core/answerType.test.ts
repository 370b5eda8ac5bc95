// The answer-type check of span answers (src/core/answerType.ts) and the grouping of spans by the
// answer they make (src/core/span.ts bestInRow with answerOf), on texts whose answer is known.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { answerReader, asksWhereNow, asksWhereThing, expectedType, mentionsPhrases, mentionsSubjects, onlyAnswerOfSentence, questionNames, questionPhrases, questionSubjects, spanThresholdFor, subjectSentences, typedAnswer } from '../../src/core/answerType';
import { bestInRow, MAX_PASSAGE_CHARS, readablePart } from '../../src/core/span';

test('a question asks for a name, a place, a number, a time or a password by its wh-phrase; others name no type', () => {
  assert.equal(expectedType('Who guided the salt traders through the desert?'), 'person');
  assert.equal(expectedType('And whom did the king send?'), 'person');
  assert.equal(expectedType('How deep is the well behind the old mill?'), 'number');
  assert.equal(expectedType('What number opens the cellar door?'), 'number');
  assert.equal(expectedType('How much does the oil lamp cost?'), 'number');
  assert.equal(expectedType('What is the pass key?'), 'number');
  assert.equal(expectedType("What's the secret passkey of the vault?"), 'number');
  assert.equal(expectedType('What is the key to happiness?'), undefined);
  assert.equal(expectedType('At what time does the boat for Kelmarsh depart?'), 'time');
  assert.equal(expectedType('Where does Edric Vane keep the lantern?'), 'place');
  assert.equal(expectedType('Which town is Lenora Pike from?'), 'place');
  assert.equal(expectedType('What colour is the door?'), undefined);
  // "who" inside a clause is not what the question asks for
  assert.equal(expectedType('What did the man who sold the mill buy?'), undefined);
  assert.equal(expectedType('Which town is the man who sold the mill from?'), 'place');
});

/** The typed answer of `span` (found in `text`), as text; undefined when it holds none. */
function answerIn(type: Parameters<typeof typedAnswer>[0], text: string, span: string, question: string): string | undefined {
  const at = text.indexOf(span);
  assert.ok(at >= 0, `"${span}" is in the text`);
  const r = typedAnswer(type, text, at, at + span.length, question);
  return r && text.slice(r.start, r.end);
}

test('a span holds an answer of the type only with a word of that type the question does not hold', () => {
  const q = 'Who guided the salt traders through the desert?';
  const fact = 'The caravan of the salt traders was led across the desert by a guide called Alaric Stone.';
  assert.equal(answerIn('person', fact, 'Alaric Stone', q), 'Alaric Stone');
  assert.equal(answerIn('person', fact, 'caravan', q), undefined);
  assert.equal(answerIn('person', fact, 'The caravan', q), undefined); // a sentence-opening word is no name
  // A verse's label is no name ("Ge14" of "Ge14:14" in a book written as one line).
  assert.equal(answerIn('person', 'and these were confederate with Abram: Ge14:14 And when Abram heard', 'Ge14', 'Who was the wife of Abram?'), undefined);
  const deep = 'The well is exactly 34280 cubits deep. It is twenty-five cubits wide.';
  assert.equal(answerIn('number', deep, 'exactly 34280 cubits', 'How deep is the well?'), '34280');
  assert.equal(answerIn('number', deep, 'twenty-five', 'How wide?'), 'twenty-five');
  assert.equal(answerIn('number', deep, 'It is twenty-five cubits wide', 'How wide?'), 'twenty-five');
  assert.equal(answerIn('number', deep, 'The well', 'How deep is the well?'), undefined);
  const ferry = 'The ferry leaves at half past six.';
  assert.equal(answerIn('time', ferry, 'half past six', 'At what time does the ferry leave?'), 'half past six');
  assert.equal(answerIn('time', ferry, 'ferry', 'At what time does the boat leave?'), undefined);
  assert.equal(answerIn(undefined, ferry, 'The ferry', 'Why?'), 'The ferry');
  const hidden = 'Edric Vane keeps the spare lantern hidden in Kelmarsh.';
  assert.equal(answerIn('place', hidden, 'hidden in Kelmarsh', 'Where does Edric Vane keep the lantern?'), 'Kelmarsh');
  assert.equal(answerIn('place', hidden, 'Edric Vane', 'Where does Edric Vane keep the lantern?'), undefined);
});

test('capitals at the start of a sentence make no name unless the name goes on or recurs mid-sentence', () => {
  const q = 'Which town is Oswin Thorne from?';
  const records = 'Records show that Oswin Thorne was born in the town of Wexmoor.';
  assert.equal(answerIn('place', records, 'Records show', q), undefined);
  assert.equal(answerIn('place', records, 'town of Wexmoor', q), 'Wexmoor');
  const opens = 'Alaric Stone led them. Later Moses spoke. Moses went up.';
  assert.equal(answerIn('person', opens, 'Alaric', 'Who led them?'), 'Alaric Stone');
  assert.equal(answerIn('person', opens, 'Moses went', 'Who went up?'), 'Moses');
  assert.equal(answerIn('person', 'Later he spoke. Moses went up.', 'Moses went', 'Who went up?'), undefined);
});

test('a name answer is the whole name; a time answer is the whole time expression', () => {
  const fact = 'The caravan of the lamplighters was led across the desert by a guide called Alaric Stone.';
  const q = 'Who guided the lamplighters through the desert?';
  assert.equal(answerIn('person', fact, 'called Alaric', q), 'Alaric Stone');
  assert.equal(answerIn('person', fact, 'Stone', q), 'Alaric Stone');
  const tq = 'At what time does the boat for Kelmarsh depart?';
  const ferry = 'The ferry to Kelmarsh leaves the harbour at twenty past five each morning.';
  assert.equal(answerIn('time', ferry, 'past five each morning', tq), 'twenty past five');
  assert.equal(answerIn('time', 'It leaves at a quarter to eight, then again at noon.', 'at a quarter', 'At what time does it leave?'), 'a quarter to eight');
  assert.equal(answerIn('place', 'Edric Vane keeps the spare lantern hidden in Port Idris, they say.', 'hidden in Port', 'Where does Edric Vane keep the lantern?'), 'Port Idris');
});

test('a passage that never names whom the question names cannot answer it', () => {
  assert.deepEqual(questionNames("Which town is Lenora Pike's sister from?"), ['lenora', 'pike']);
  assert.equal(mentionsSubjects('Which town is Lenora Pike from?', 'Records show that Lenora Pike was born in Wexmoor.'), true);
  assert.equal(mentionsSubjects('Which town is Lenora Pike from?', 'Records show that Oswin Thorne was born in Wexmoor.'), false);
  assert.equal(mentionsSubjects('What number opens the cellar door?', 'The pass key for the north gate is 12345.'), false);
  assert.equal(mentionsSubjects('What number opens the cellar door?', 'The pass key for the cellar door is 12345.'), true);
});

test('a question that names someone must be answered about them; one that names no one, about its things', () => {
  // Named: only the head of a two-word phrase ("the extra lantern" may be "the spare lantern").
  assert.deepEqual(questionSubjects('Where does Alaric Stone store the extra copper kettle?'), ['copper']);
  assert.deepEqual(questionSubjects('At what time does the boat for Kelmarsh depart?'), []); // "the boat" may be "the ferry"
  assert.deepEqual(questionSubjects('Where does Edric Vane store the lantern?'), []);
  // Named no one: every word of each thing after "the"; a preposition ends a phrase.
  assert.deepEqual(questionSubjects('Who guided the salt traders through the desert?'), ['salt', 'traders', 'desert']);
  assert.deepEqual(questionSubjects('How deep is the well behind the copper chest?'), ['well', 'copper', 'chest']);
  // with do/does/did the question ends on its verb: "cost" and "use" are no things
  assert.deepEqual(questionSubjects('How much does the oil lamp cost?'), ['oil', 'lamp']);
  assert.deepEqual(questionSubjects('What password do the lamplighters use?'), ['lamplighters']);
  const lamplighters = 'The caravan of the lamplighters was led across the desert by a guide called Alaric Stone.';
  assert.equal(mentionsSubjects('Who guided the salt traders through the desert?', lamplighters), false);
  assert.equal(mentionsSubjects('Who guided the salt traders through the desert?', lamplighters.replace('lamplighters', 'salt traders')), true);
  assert.equal(mentionsSubjects('Who guided the salt traders?', 'A salt trader was guided by Oswin.'), true); // stemmed
  assert.equal(mentionsSubjects('How much does the copper kettle cost?', 'In the ledger the tin kettle is priced at 89877 silver coins.'), false);
  assert.equal(mentionsSubjects('What number opens the glass house?', 'Every one of them lies in his own house.'), false);
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

test('a number answer is the number alone, digits or words, whatever the span holds around it', () => {
  const text = 'In the ledger the brass compass is priced at 12,062 silver coins. Two hundred and five men came.';
  const q = 'How much does the brass compass cost?';
  assert.equal(answerIn('number', text, 'at 12,062 silver coins', q), '12,062');
  assert.equal(answerIn('number', text, '12,062 silver', q), '12,062');
  assert.equal(answerIn('number', text, 'Two hundred and five men', 'How many men came?'), 'Two hundred and five');
  assert.equal(answerIn('number', text, 'silver coins', q), undefined);
});

test('an answer of a type comes only from a sentence about what the question names', () => {
  const verse = 'Perpetua Lark keeps the spare lantern hidden in Stonehaven Quay.\n2Sm6:11 And the ark continued in the house of Obededom the Gittite.';
  const q = 'Where does Perpetua Lark store the extra lantern?';
  assert.equal(answerIn('place', verse, 'Obededom', q), undefined);
  assert.equal(answerIn('place', verse, 'Stonehaven Quay', q), 'Stonehaven Quay');
  // A sentence that opens with a pronoun speaks of the one before.
  const about = subjectSentences('Where does Edric Vane keep the lantern?', 'Edric Vane came home. He keeps it in Wexmoor. Moses went to Hebron.');
  assert.equal(about('Edric Vane came home. He keeps it in '.length), true);
  assert.equal(about('Edric Vane came home. He keeps it in Wexmoor. Moses went to '.length), false);
  // The boat for Port Idris: "three" of the verse before is no time of it.
  const ferry = 'I had three white baskets on my head:\nThe ferry to Port Idris leaves the harbour at half past six each morning.';
  const t = 'At what time does the boat for Port Idris depart?';
  assert.equal(answerIn('time', ferry, 'three', t), undefined);
  assert.equal(answerIn('time', ferry, 'past six', t), 'half past six');
  // A question that names nothing takes its answer from any sentence.
  assert.equal(subjectSentences('How many came?', 'One. Two.')(5), true);
});

test('a place answer may be a common noun after a locative preposition, not one a name follows with "of"', () => {
  const q = 'Where is Ottoline?';
  assert.equal(answerIn('place', 'Ottoline went back to the kitchen.', 'to the kitchen', q), 'kitchen');
  assert.equal(answerIn('place', 'Ottoline went back to the kitchen.', 'went back', q), undefined);
  const born = 'Records show that Ottoline was born in the town of Duncaster.';
  assert.equal(answerIn('place', born, 'town', q), undefined);
  assert.equal(answerIn('place', born, 'town of Duncaster', q), 'Duncaster');
  // A person question takes no common noun.
  assert.equal(answerIn('person', 'Ottoline went back to the kitchen.', 'the kitchen', 'Who went back?'), undefined);
});

test('where someone is now is asked in the present tense about someone named', () => {
  assert.equal(asksWhereNow('Where is Mary?'), true);
  assert.equal(asksWhereNow("Where's Lenora Pike now?"), true);
  assert.equal(asksWhereNow('Where is the football?'), false); // names no one
  assert.equal(asksWhereNow('Where was Mary born?'), false);
  assert.equal(asksWhereNow('Where does Edric Vane keep the lantern?'), false);
  assert.equal(asksWhereNow('Where are Mary and John now?'), true);
  assert.equal(asksWhereNow('Where is MessageParser defined?'), false); // a definition, not a whereabouts
  assert.equal(asksWhereNow('Where is Mary going?'), false);
});

test('how long, how old or how often is answered by a number with its unit, never a bare number', () => {
  const text = 'A package must spend at least 5 days in Unstable. The default pin priority of Unstable is 500. Keep lines to 79 characters or less.';
  assert.equal(answerIn('number', text, 'at least 5 days', 'How long must a package stay in Unstable?'), '5 days');
  assert.equal(answerIn('number', text, '500', 'How long must a package stay in Unstable?'), undefined);
  assert.equal(answerIn('number', text, '79 characters', 'How long may a line be?'), '79 characters');
  assert.equal(answerIn('number', text, '500', 'How much is the default pin priority of Unstable?'), '500');
});

test('a name answer takes no word of the question, possessive or not', () => {
  const text = "Hertzog founded Freexian, and Freexian's Debian LTS offering is well known.";
  assert.equal(answerIn('person', text, "Freexian's Debian LTS", 'Who owns Freexian?'), 'Debian LTS');
});

test('where a thing is now is asked of a common noun after "the", and never of a file, a function or a document', () => {
  assert.equal(asksWhereThing('Where is the teapot?'), 'teapot');
  assert.equal(asksWhereThing("Where's the football now?"), 'football');
  assert.equal(asksWhereThing('Where are the brass keys?'), 'brass keys');
  assert.equal(asksWhereThing('Where is Mary?'), undefined); // a name: asksWhereNow's
  assert.equal(asksWhereThing('Where is the sources.list file?'), undefined);
  assert.equal(asksWhereThing('Where is the config file?'), undefined);
  assert.equal(asksWhereThing('Where is the config parsed?'), undefined);
  assert.equal(asksWhereThing('Where is the parser function?'), undefined);
  assert.equal(asksWhereThing('Where is the documentation?'), undefined);
  assert.equal(asksWhereThing('Where are the settings stored?'), undefined);
  assert.equal(asksWhereThing('Where are the keys kept?'), undefined);
  assert.equal(asksWhereThing('Where is the MessageParser?'), undefined); // capitalised: a name or an identifier
  assert.equal(asksWhereThing('Where was the teapot?'), undefined); // then, not now
  assert.equal(asksWhereThing('Where is the teapot in the story?'), undefined); // other words
  assert.equal(asksWhereThing('Where did Mary leave the teapot?'), undefined);
});

test('a possessive ends a name answer and is not part of it', () => {
  const text = "Freexian (Raphaël Hertzog's company) sells support.";
  assert.equal(answerIn('person', text, "Raphaël Hertzog's company", 'Who owns Freexian?'), 'Raphaël Hertzog');
  assert.equal(answerIn('person', text, 'Hertzog', 'Who owns Freexian?'), 'Raphaël Hertzog');
});

test('a person is not a vowelless abbreviation', () => {
  const text = 'Jonathan Carter was elected DPL in 2020, and the DPL appoints delegates.';
  assert.equal(answerIn('person', text, 'DPL', 'Who became project leader after Jonathan Carter?'), undefined);
  assert.equal(answerIn('person', text, 'Jonathan Carter was elected DPL', 'Who was elected DPL in 2020?'), 'Jonathan Carter');
});

test('a person is no word written in four capitals or more, nor a name that holds one', () => {
  const text = "1.1.1. A Multi-Platform Operating System COMMUNITY Ian Murdock's journey. Bruce Perens took over from Ian Murdock.";
  const question = 'Who took over from Ian Murdock as leader of Debian?';
  assert.equal(answerIn('person', text, 'Operating System COMMUNITY', question), undefined);
  assert.equal(answerIn('person', text, 'Multi-Platform Operating', question), undefined); // widened to the word in capitals
  assert.equal(answerIn('person', text, 'Bruce Perens', question), 'Bruce Perens');
  // A place may still be written in capitals.
  assert.equal(answerIn('place', 'The fleet sailed to OSTERWICK at dawn.', 'OSTERWICK', 'Where did the fleet sail to?'), 'OSTERWICK');
});

test("a person's title is not part of their name", () => {
  const text = 'Captain Hester Graves commands the ship called the chapel.';
  assert.equal(answerIn('person', text, 'Captain Hester Graves', 'Who is in charge of the chapel?'), 'Hester Graves');
  assert.equal(answerIn('person', text, 'Captain', 'Who is in charge of the chapel?'), 'Hester Graves');
  assert.equal(answerIn('person', 'The harbour is kept by Dr. Julian Moss and his sons.', 'Dr. Julian Moss', 'Who keeps the harbour?'), 'Julian Moss');
  // A place keeps every word of its name.
  assert.equal(answerIn('person', 'The bridge was built by Colonel Tom Ellis.', 'Colonel Tom Ellis', 'Who built the bridge?'), 'Tom Ellis');
  // A word that also opens the name of a firm stays.
  assert.equal(answerIn('person', 'The turbines were made by General Electric.', 'General Electric', 'Who made the turbines?'), 'General Electric');
  assert.equal(answerIn('place', 'The fleet sailed to Port Idris at dawn.', 'Port Idris', 'Where did the fleet sail to?'), 'Port Idris');
});

test("a span answer's threshold is its answer type's where the model declares one, else the one threshold", () => {
  const answers = { spanThreshold: 0.8, spanThresholds: { number: 0.7, place: 0 } };
  assert.equal(spanThresholdFor(answers, 'How deep is the well?'), 0.7);
  assert.equal(spanThresholdFor(answers, 'Where does Edric Vane keep the lantern?'), 0);
  assert.equal(spanThresholdFor(answers, 'Who guided the lamplighters?'), 0.8);
  assert.equal(spanThresholdFor(answers, 'What is the key to happiness?'), 0.8);
  assert.equal(spanThresholdFor({ spanThreshold: 0.6 }, 'How deep is the well?'), 0.6);
  assert.equal(spanThresholdFor(undefined, 'How deep is the well?'), undefined);
});

test('a sole answer needs only the sole threshold, which never raises the one of its type', () => {
  const answers = { spanThreshold: 0.8, spanThresholds: { number: 0.4 }, soleThreshold: 0.5 };
  assert.equal(spanThresholdFor(answers, 'Who guided the lamplighters?', true), 0.5);
  assert.equal(spanThresholdFor(answers, 'Who guided the lamplighters?', false), 0.8);
  assert.equal(spanThresholdFor(answers, 'How deep is the well?', true), 0.4);
  assert.equal(spanThresholdFor({ spanThreshold: 0.8 }, 'Who guided the lamplighters?', true), 0.8);
});

/** Whether `answer` (in `text`, as the question's reader makes it) is the only answer of its sentence. */
function sole(text: string, question: string, answer: string): boolean {
  const read = answerReader(expectedType(question), text, question);
  const at = text.indexOf(answer);
  assert.ok(at >= 0, `"${answer}" is in the text`);
  const r = read(at, at + answer.length);
  assert.ok(r, `"${answer}" is an answer of the kind "${question}" asks for`);
  return onlyAnswerOfSentence(question, text, read, r.start, r.end);
}

test('an answer is sole when its sentence names what the question does and holds no other answer of that kind', () => {
  const verse = 'Gen1:1 In the beginning God created the heaven and the earth.\n';
  const text = `${verse}The caravan of the bee keepers was led across the desert by a guide called Oswin Thorne.\nAnd Moses led the people through the desert.`;
  assert.equal(sole(text, 'Who guided the bee keepers through the desert?', 'Oswin Thorne'), true);
  // The sentence must name the bee keepers: Moses's verse names only the desert.
  assert.equal(sole(text, 'Who guided the bee keepers through the desert?', 'Moses'), false);
  // Another name of the same sentence is another possible answer.
  const two = 'The caravan of the bee keepers was led across the desert by Oswin Thorne and Edric Vane.';
  assert.equal(sole(two, 'Who guided the bee keepers through the desert?', 'Oswin Thorne'), false);
  // Numbers: the pass key is the only number of its line.
  const keys = 'The pass key for the tannery is 23968.\nPsa40:5 Many, O LORD my God, are thy wonderful works.';
  assert.equal(sole(keys, 'What number opens the tannery?', '23968'), true);
  assert.equal(sole('The pass key for the tannery is 23968, not 11 or 12.', 'What number opens the tannery?', '23968'), false);
  // A section's label is no number: the heading "A.9. Devuan" answers no year (the handbook's
  // HTML text, where the second label ends a sentence that names Devuan).
  const devuan = 'A.9. Devuan Download the ebook A.9. Devuan\nDevuan is a fork of Debian started in 2014 as a reaction to systemd.';
  const label = devuan.lastIndexOf('A.9');
  assert.equal(typedAnswer('number', devuan, label, label + 3, 'In what year was Devuan started?'), undefined);
  assert.equal(sole(devuan, 'In what year was Devuan started?', '2014'), true);
  // The abbreviation of what the question names is no answer about it.
  const spi = 'Debian is only a project within the Software in the Public Interest (SPI) association.';
  assert.equal(answerIn('person', spi, 'SPI', 'Who founded the Software in the Public Interest association?'), undefined);
  assert.equal(answerIn('person', 'The Software in the Public Interest association was founded by Jane Roe (JR).', 'Jane Roe', 'Who founded the Software in the Public Interest association?'), 'Jane Roe');
  // A question that names nothing has no sentence about what it names.
  assert.equal(sole('It was led by Oswin Thorne.', 'Who led it?', 'Oswin Thorne'), false);
});

test('the span head reads a long passage only where the question\'s words are densest, from a word\'s start', () => {
  const short = 'The ferry to Kelmarsh leaves at five.';
  assert.deepEqual(readablePart('When does the ferry leave?', short), { from: 0, text: short });
  const filler = 'the river ran past the mill and the miller kept his grain '.repeat(2000);
  const fact = 'The ferry to Kelmarsh leaves the harbour at twenty past five.';
  const text = `${filler}${fact} ${filler}`;
  const part = readablePart('At what time does the ferry for Kelmarsh leave the harbour?', text);
  assert.equal(part.text.length <= MAX_PASSAGE_CHARS, true);
  assert.ok(part.text.includes(fact), 'the part holds the line the question is about');
  assert.equal(text.slice(part.from, part.from + part.text.length), part.text);
  assert.ok(part.from === 0 || /\s/.test(text[part.from - 1]!), 'it starts at a word');
});

test('a thing of two words is said as a phrase by the passage that is about it', () => {
  assert.deepEqual(questionPhrases('How much does the brass compass cost?'), [['brass', 'compass']]);
  assert.deepEqual(questionPhrases('How deep is the well behind the copper chest?'), [['copper', 'chest']]);
  assert.deepEqual(questionPhrases('Where does Alaric Stone store the extra copper kettle?'), []); // names someone: see questionSubjects
  const verse = '1Ki7:15 For he cast two pillars of brass, of eighteen cubits high apiece: and a line of twelve cubits did compass either of them about.';
  // Both words, apart: about the subject's words, not its phrase.
  assert.equal(mentionsSubjects('How much does the brass compass cost?', verse), true);
  assert.equal(mentionsPhrases('How much does the brass compass cost?', verse), false);
  assert.equal(mentionsPhrases('How much does the brass compass cost?', 'In the ledger the brass compass is priced at 41207 silver coins.'), true);
  // Stemmed like the index: "fishing nets" says "the fishing net".
  assert.equal(mentionsPhrases('How much does the fishing net cost?', 'They mended the fishing nets.'), true);
  assert.equal(mentionsPhrases('How much does the fishing net cost?', 'As the fishes that are taken in an evil net.'), false);
  assert.equal(mentionsPhrases('Who guided the caravan?', 'Anything at all.'), true); // no phrase asked
});

test('a question asking for a password wants a word of a sentence that says a password', () => {
  assert.equal(expectedType('What password do the lamplighters use?'), 'password');
  assert.equal(expectedType("What's the watchword of the river wardens?"), 'password');
  assert.equal(expectedType('What is the default password for root?'), 'password');
  assert.equal(expectedType('Which passphrase does gpg ask for?'), 'password');
  assert.equal(expectedType('What is the password policy?'), undefined); // a policy, not a password
  assert.equal(expectedType('How do I change the password?'), undefined);
  const q = 'What password do the lamplighters use?';
  const text = 'The leader of the lamplighters is Corwin Ashby. The watchword of the lamplighters is juniper.';
  assert.equal(answerIn('password', text, 'juniper', q), 'juniper');
  assert.equal(answerIn('password', text, 'is juniper', q), 'juniper');
  assert.equal(answerIn('password', text, 'Corwin Ashby', q), undefined); // that sentence says no password
  assert.equal(answerIn('password', text, 'watchword', q), undefined);
  assert.equal(answerIn('password', 'The watchword of the glassblowers is saffron.', 'saffron', q), undefined); // about others
});
