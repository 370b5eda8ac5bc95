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
