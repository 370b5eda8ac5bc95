// The dev natural questions that went wrong, one by one, for whoever improves the engine: each
// wrong answer, each answer-bearing line not cited, each unanswerable question answered anyway,
// with what Mnemo said in each mode and where the book holds the answer. Test sets are never
// listed, so that they stay a measurement.
import type { NaturalBook } from './natural';
import type { Question } from './questions';
import { answerSentence, MODE_LABEL, type Outcome, type SetOutcome } from './run';

/** One cell: the verdict (or "answered anyway"), what was said, and whether the evidence was cited. */
function cell(o: Outcome | undefined, answerable: boolean): string {
  if (!o) return '–';
  const said = answerSentence(o.answerText ?? '').replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 80);
  if (!answerable) return `${o.answeredAnyway ? '**answered anyway**' : 'not sure'}: ${said}`;
  const first = o.firstCitation ? `, first citation ${o.firstCitation}` : '';
  return `${o.verdict === 'wrong' ? '**wrong**' : o.verdict}: ${said}${o.anyCited ? (o.top1Lines ? ' (evidence cited first)' : ` (evidence cited${first})`) : ` (**evidence not cited**${first})`}`;
}

/** Markdown: per dev set, the questions that any mode answered wrongly, answered though unanswerable, or left uncited; '' when none. */
export function naturalFailures(results: readonly SetOutcome[], questions: ReadonlyMap<string, Question>, books: readonly NaturalBook[]): string {
  const parts: string[] = [];
  for (const r of results) {
    const book = books.find((b) => `natural/${b.name}` === r.set.name);
    const modes = [...new Set(r.outcomes.map((o) => o.mode))];
    const rows: string[] = [];
    const all = [...r.outcomes, ...(r.unanswerable ?? [])];
    const ids = [...new Set(all.map((o) => o.id))];
    for (const id of ids) {
      const of = all.filter((o) => o.id === id);
      const q = questions.get(id);
      const answerable = q?.kind === 'natural';
      const failed = answerable ? of.some((o) => o.verdict === 'wrong' || !o.anyCited) : of.some((o) => o.answeredAnyway);
      if (!failed) continue;
      const own = book?.questions.find((n) => `${r.set.name}/${n.id}` === id);
      const evidence = own?.evidence?.map((e) => `${e.file}: "${e.quote}"`).join('; ') ?? '';
      const lines = q?.answers.map((a) => `${a.path}:${a.startLine}`).join(', ') ?? '';
      rows.push([
        `**${id.split('/').pop()}** ${q?.question ?? id}`,
        `accepted: ${answerable ? (q?.accepted ?? []).map((a) => `\`${a}\``).join(', ') : '(none: the book does not say)'}`,
        ...(answerable ? [`evidence: ${evidence} (${lines})`] : []),
        ...modes.map((m) => `${MODE_LABEL[m]}: ${cell(of.find((o) => o.mode === m), answerable)}`),
      ].map((l, i) => (i === 0 ? `- ${l}` : `  - ${l}`)).join('\n'));
    }
    parts.push(`## ${r.set.name} (${r.set.split}): ${rows.length} questions\n\n${rows.join('\n') || '(none)'}\n`);
  }
  return parts.join('\n');
}
