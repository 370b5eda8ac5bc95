"""Wordings of planted facts and of the questions about them, for the span head.

These are the span head's own templates. The product evaluation has separate ones under
bench/qa/; none of those are used here. TRAIN_* wordings are the only ones training sees;
EVAL_* wordings are kept for models/mnemo/evaluate_span.py, so the card's planted-fact figures
are measured on sentences and questions the model never trained on.

A fact template takes {s} (the subject, e.g. "the amber gate") and {v} (the value); a question
template takes {s}. Each relation says what kind of value it holds.
"""

# relation -> value kind, fact wordings, question wordings
TRAIN = {
    'code': ('number', [
        'The access code for {s} is {v}.',
        'To open {s}, enter {v}.',
        'Note: {s} uses the code {v}.',
        '{S} can be unlocked with {v}.',
        'Remember that the combination of {s} is {v}.',
        'the code to {s} was changed to {v} last week',
    ], [
        'What code unlocks {s}?',
        'Which number opens {s}?',
        'what do I type to get into {s}',
        'Tell me the combination for {s}.',
        '{s}: which code?',
    ]),
    'serial': ('code', [
        'The serial number printed on {s} is {v}.',
        '{S} carries the label {v}.',
        'Inventory lists {s} under {v}.',
        'Its tag reads {v}; that is {s}.',
    ], [
        'Which label is on {s}?',
        'What identifier does {s} have in the inventory?',
        'serial of {s}?',
        'Under what tag is {s} filed?',
    ]),
    'count': ('number', [
        'There are {v} crates stored in {s}.',
        '{S} holds exactly {v} crates.',
        'A count of {s} found {v} crates.',
    ], [
        'How many crates are in {s}?',
        'What number of crates does {s} hold?',
        'crates in {s} - how many?',
    ]),
    'keeper': ('name', [
        'The keeper of {s} is {v}.',
        '{v} has looked after {s} for years.',
        '{S} is in the care of {v}.',
        'Ask {v}, who runs {s}.',
    ], [
        'Who looks after {s}?',
        'Who is responsible for {s}?',
        'whose job is it to keep {s}',
        'Name the person in charge of {s}.',
    ]),
    'place': ('place', [
        '{S} was moved to {v}.',
        'These days {s} stands in {v}.',
        '{S} can now be found in {v}.',
        'After the repairs, {s} went to {v}.',
    ], [
        'Where is {s} now?',
        'In which town can {s} be found?',
        'where did {s} end up',
        'To what place was {s} taken?',
    ]),
    'date': ('date', [
        '{S} was opened on {v}.',
        'On {v}, {s} first opened its doors.',
        'The opening of {s} took place on {v}.',
    ], [
        'When did {s} open?',
        'On which day was {s} opened?',
        'opening date of {s}?',
    ]),
}

EVAL = {
    'code': ('number', [
        'Whoever wishes to pass {s} must give the number {v}.',
        'Written on the wall: the secret number of {s} is {v}.',
    ], [
        'What is the secret number needed to pass {s}?',
        'Give the number that lets one through {s}.',
    ]),
    'keeper': ('name', [
        'In those days {v} was the warden of {s}.',
        'And {s} was given into the hand of {v}.',
    ], [
        'Who was the warden of {s}?',
        'Into whose hand was {s} given?',
    ]),
}

# Subjects: "the <adjective> <noun>"; the evaluation draws from the same parts, so a subject is
# never a memorised string (there are 1,600 of them).
SUBJECT_ADJS = ['amber', 'northern', 'old', 'copper', 'silent', 'western', 'hidden', 'lower', 'stone', 'iron',
                'eastern', 'narrow', 'grey', 'upper', 'royal', 'broken', 'green', 'white', 'salt', 'river',
                'second', 'outer', 'inner', 'great', 'small', 'high', 'black', 'golden', 'winter', 'harbor',
                'market', 'cedar', 'willow', 'marble', 'sunken', 'red', 'south', 'far', 'long', 'square']
SUBJECT_NOUNS = ['gate', 'vault', 'tower', 'archive', 'depot', 'bridge', 'cellar', 'chapel', 'mill', 'lighthouse',
                 'warehouse', 'library', 'garden', 'station', 'workshop', 'granary', 'observatory', 'armory',
                 'boathouse', 'clinic', 'foundry', 'school', 'theatre', 'bakery', 'locker', 'cabinet', 'chest',
                 'terminal', 'server room', 'lab', 'office', 'hall', 'yard', 'dock', 'museum', 'kiosk', 'stable',
                 'pantry', 'annex', 'studio']
# Syllables for names and towns: mostly invented, so the head must copy, not recall.
NAME_SYLLABLES = ['an', 'bel', 'cor', 'da', 'el', 'fen', 'gar', 'ha', 'is', 'jo', 'ka', 'lin', 'mar', 'nor', 'o',
                  'pel', 'quin', 'ro', 'sa', 'tor', 'u', 'vin', 'wes', 'xa', 'yor', 'zel', 'mi', 'ta', 'ri', 'len']
FIRST_NAMES = ['Mary', 'John', 'Priya', 'Ahmed', 'Li', 'Olga', 'Kwame', 'Sofia', 'Mateo', 'Hana', 'Ines', 'Tomas',
               'Yusuf', 'Elena', 'Noah', 'Aiko', 'Carlos', 'Fatima', 'Lars', 'Zainab']
PLACE_SUFFIXES = ['ton', 'ford', 'by', 'wick', 'stad', 'burg', 'mere', 'holm', 'ville', 'port', 'dale', 'field']
MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October',
          'November', 'December']

# bAbI-like stories: the training sentences. The evaluation keeps bAbI's own wording
# ("X went to the Y.") for QA1/QA2, so training uses other verbs for moving.
BABI_PEOPLE = ['Mary', 'John', 'Daniel', 'Sandra', 'Alice', 'Bob', 'Fred', 'Julie', 'Bill', 'Emma', 'Omar', 'Yuki',
               'Rosa', 'Ivan', 'Chen', 'Amara']
BABI_PLACES = ['kitchen', 'garden', 'office', 'bedroom', 'bathroom', 'hallway', 'cellar', 'library', 'garage', 'park',
               'attic', 'porch', 'studio', 'barn', 'lobby', 'pantry']
BABI_OBJECTS = ['apple', 'football', 'milk', 'key', 'book', 'lamp', 'box', 'hat', 'umbrella', 'letter', 'cup', 'map']
TRAIN_MOVES = ['{p} walked to the {l}.', '{p} moved to the {l}.', '{p} travelled to the {l}.', '{p} ran into the {l}.',
               '{p} headed to the {l}.', 'Then {p} went back to the {l}.', '{p} is in the {l} now.']
TRAIN_TAKES = ['{p} grabbed the {o}.', '{p} took the {o}.', '{p} picked the {o} up.', '{p} got the {o} there.']
TRAIN_WHERE_PERSON = ['Where is {p}?', 'Where did {p} go last?', 'In which room is {p} now?', 'where is {p} at the end']
TRAIN_WHERE_OBJECT = ['Where is the {o}?', 'In which room is the {o} now?', 'Where was the {o} carried?']

# Code: a question about what a function does (its docstring, reworded) -> the function's name.
TRAIN_CODE_QUESTIONS = ['Which function {does}?', 'What is the name of the function that {does}?',
                        'which function should I call to {do}', 'Find the function that {does}.',
                        'What function is used to {do}?']

# Open relations: facts about any attribute of a subject, so that the head learns to find the
# subject and copy the value of the attribute asked about, not six memorised relations. A fact
# is a frame filled with an attribute, a subject, a value and (for numbers) a unit after the value
# that is not part of the answer; the question names the attribute or a synonym of it. None of
# these attributes, frames or units is used by evaluate_span.py's EVAL wordings or by the product
# evaluation (bench/qa/books.ts).
# attribute -> (value kind, words a question may use for it, units written after a number)
OPEN_ATTRS = {
    'height': ('number', ['height', 'tallness'], ['metres', 'feet', 'm']),
    'weight': ('number', ['weight', 'mass'], ['kilograms', 'kg', 'pounds', 'tonnes']),
    'length': ('number', ['length', 'total length'], ['metres', 'miles', 'yards', 'cm']),
    'age': ('number', ['age'], ['years', 'years old']),
    'entry fee': ('number', ['entry fee', 'admission charge', 'fee'], ['dollars', 'euros', 'crowns', 'marks']),
    'monthly rent': ('number', ['monthly rent', 'rent'], ['dollars', 'florins', 'pounds a month']),
    'population': ('number', ['population', 'number of residents'], ['people', 'residents', 'souls']),
    'capacity': ('number', ['capacity', 'volume'], ['litres', 'seats', 'barrels', 'gallons']),
    'distance from the sea': ('number', ['distance from the sea', 'distance to the coast'], ['miles', 'leagues', 'kilometres']),
    'room number': ('number', ['room number', 'room'], []),
    'phone extension': ('number', ['phone extension', 'extension'], []),
    'founder': ('name', ['founder', 'person who founded it'], []),
    'architect': ('name', ['architect', 'designer'], []),
    'owner': ('name', ['owner', 'proprietor'], []),
    'head cook': ('name', ['head cook', 'chef'], []),
    'captain': ('name', ['captain', 'skipper'], []),
    'tutor': ('name', ['tutor', 'teacher'], []),
    'head office': ('place', ['head office', 'headquarters', 'main office'], []),
    'sister town': ('place', ['sister town', 'twin town'], []),
    'destination': ('place', ['destination', 'final stop'], []),
    'winter quarters': ('place', ['winter quarters', 'winter home'], []),
    'motto': ('word', ['motto', 'slogan'], []),
    'nickname': ('word', ['nickname', 'pet name'], []),
    'colour': ('word', ['colour', 'color'], []),
    'mascot': ('word', ['mascot', 'emblem'], []),
    'signal': ('word', ['signal', 'agreed sign'], []),
    'opening time': ('time', ['opening time', 'opening hour'], []),
    'closing time': ('time', ['closing time', 'closing hour'], []),
    'meeting time': ('time', ['meeting time', 'time of the meeting'], []),
    'licence number': ('code', ['licence number', 'licence', 'permit number'], []),
    'batch code': ('code', ['batch code', 'lot number'], []),
    'founding date': ('date', ['founding date', 'date of founding'], []),
    'last inspection': ('date', ['last inspection', 'date of the last inspection'], []),
}
# {a} attribute, {s}/{S} subject, {v} value, {u} ' unit' or ''
OPEN_FACTS = [
    'The {a} of {s} is {v}{u}.',
    "{S}'s {a} is {v}{u}.",
    '{S} has a {a} of {v}{u}.',
    '{A} of {s}: {v}{u}.',
    'For {s}, the {a} is given as {v}{u}.',
    'According to the register, the {a} of {s} was {v}{u}.',
    '{V}{u} is the {a} of {s}.',
    'The records list {v}{u} as the {a} for {s}.',
    '({s}; {a}: {v}{u})',
    'As for {s}, its {a} has always been {v}{u}.',
    'Everyone knows {s} by its {a}, {v}{u}.',
    '{S} - {a} {v}{u}',
]
OPEN_QUESTIONS = [
    'What is the {q} of {s}?', "What's {s}'s {q}?", 'Tell me the {q} of {s}.', '{q} of {s}?',
    'Which {q} does {s} have?', 'Do you know the {q} of {s}?', 'I need the {q} for {s}.',
    'what {q} is recorded for {s}',
]
OPEN_QUESTIONS_BY_KIND = {
    'number': ['How much is the {q} of {s}?', 'What figure is given for the {q} of {s}?'],
    'name': ['Who is the {q} of {s}?', "Who serves as {s}'s {q}?"],
    'place': ['Where is the {q} of {s}?', 'In which town is the {q} of {s}?'],
    'time': ['When is the {q} of {s}?', 'At what hour is the {q} of {s}?'],
    'date': ['When was the {q} of {s}?', 'On what day was the {q} of {s}?'],
    'word': ['Which word is the {q} of {s}?'],
    'code': ['Which {q} belongs to {s}?'],
}
# Subjects of open facts besides "the <adjective> <noun>": people, guilds, "the <noun> of <town>".
OPEN_GROUPS = ['weavers', 'millers', 'carters', 'coopers', 'tanners', 'scribes', 'drovers', 'potters',
               'joiners', 'pilots', 'chandlers', 'farriers', 'dyers', 'saddlers', 'bookbinders']
NUMBER_WORDS = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve']

# Event relations: facts told by what happens (a verb), not by an attribute, with the value as
# the time of the event, the person who did it, or the place something was put; the question
# uses another verb for the same event part of the time, so that the head learns to find the
# event and copy the part asked about. None of these verbs, items or frames is used by
# evaluate_span.py's EVAL wordings or by the product evaluation (bench/qa/books.ts); in
# particular no leave/depart, ferry/boat, guide/lead, price/cost, keep/store/hide,
# watchword/password or born-in frames.
# (fact verb, third person present; question verb, base form)
EVENT_TIME_VERBS = [
    ('opens', 'open'), ('opens its doors', 'open'), ('closes', 'close'), ('shuts its doors', 'close'),
    ('sets off', 'set out'), ('sets out', 'start off'), ('rings its bell', 'ring'), ('sounds its horn', 'sound'),
    ('begins work', 'start work'), ('stops work', 'finish work'), ('takes on passengers', 'board passengers'),
    ('comes in', 'arrive'), ('gets in', 'arrive'), ('is unlocked', 'get unlocked'), ('is swept', 'get cleaned'),
    ('serves supper', 'serve dinner'), ('changes the guard', 'change guard'), ('raises its flag', 'hoist the flag'),
]
EVENT_TIME_FACTS = [
    '{S} {vf} at {v} each day.', 'Each morning at {v}, {s} {vf}.', 'At {v} sharp {s} {vf}, never later.',
    'It is at {v} that {s} {vf}.', '{S} {vf} daily, and the hour is {v}.', 'On weekdays {s} {vf} at {v}.',
    'Folk say {s} {vf} at {v} in all seasons.',
]
EVENT_TIME_QUESTIONS = [
    'At what time does {s} {vq}?', 'When does {s} {vq}?', 'What time does {s} {vq} each day?',
    'At which hour does {s} {vq}?', 'when does {s} {vq} on weekdays',
]
# (fact past, fact participle, question past, question participle)
EVENT_AGENT_VERBS = [
    ('built', 'built', 'constructed', 'constructed'), ('painted', 'painted', 'decorated', 'decorated'),
    ('repaired', 'repaired', 'fixed', 'fixed'), ('designed', 'designed', 'planned', 'planned'),
    ('founded', 'founded', 'established', 'established'), ('discovered', 'discovered', 'found', 'found'),
    ('rescued', 'rescued', 'saved', 'saved'), ('escorted', 'escorted', 'accompanied', 'accompanied'),
    ('mapped', 'mapped', 'charted', 'charted'), ('restored', 'restored', 'renovated', 'renovated'),
    ('bought', 'bought', 'purchased', 'purchased'), ('carved', 'carved', 'sculpted', 'sculpted'),
    ('defended', 'defended', 'protected', 'protected'), ('measured', 'measured', 'surveyed', 'surveyed'),
]
EVENT_ROLES = ['mason', 'carpenter', 'scout', 'sailor', 'merchant', 'traveller', 'painter', 'smith', 'clerk',
               'ranger', 'pilot', 'porter', 'widow', 'soldier', 'stranger', 'young woman', 'old man']
EVENT_AGENT_FACTS = [
    '{S} was {vpp} by {v}.', '{S} was {vpp} by a {role} named {v}.', 'It was {v} who {vpast} {s}.',
    '{V} {vpast} {s} long ago.', 'Long ago, {s} was {vpp} by the {role} {v}.', '{S}, {vpp} by {v}, still stands.',
    'In the spring a {role}, {v}, {vpast} {s}.', 'The {role} who {vpast} {s} was {v}.',
]
EVENT_AGENT_QUESTIONS = [
    'Who {qpast} {s}?', 'By whom was {s} {qpp}?', 'Which person {qpast} {s}?', 'Name the one who {qpast} {s}.',
    'who {qpast} {s} in the end',
]
# (fact past, question base); the subject is a person, the object an item
EVENT_PLACE_VERBS = [
    ('put away', 'put away'), ('buried', 'bury'), ('locked up', 'lock up'), ('sent', 'send'),
    ('delivered', 'deliver'), ('sold', 'sell'), ('dropped', 'drop'), ('hung', 'hang'), ('stowed', 'put'),
    ('shipped', 'send'), ('lent', 'lend'), ('moved', 'take'),
]
EVENT_ITEMS = ['ledger', 'spade', 'anvil', 'saddle', 'barrel', 'ladder', 'rope', 'map', 'seal', 'bell', 'loom',
               'harp', 'quilt', 'mirror', 'telescope', 'sword', 'banner', 'clock', 'bucket', 'violin']
EVENT_PLACE_FACTS = [
    '{P} {vf} the {i} in {v}.', 'Last winter {P} {vf} the {i} in {v}.', 'The {i} was {vf} in {v} by {P}.',
    'It was in {v} that {P} {vf} the {i}.', '{P} {vf} the old {i} in {v} and went home.',
]
EVENT_PLACE_QUESTIONS = [
    'Where did {P} {vq} the {i}?', 'In which town did {P} {vq} the {i}?', "Where is {P}'s {i} now?",
    'where did {P} {vq} the {i} last winter',
]
