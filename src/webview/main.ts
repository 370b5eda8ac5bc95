// The chat webview. It renders the history it is sent, streams answers into it, and sends
// questions, cancels and citation clicks back. State survives hiding the view through
// getState/setState; the extension keeps the same history across window reloads.

import { applyMessage, citationLabel, coverageNote, restoreHistory } from '../shared/chat';
import type { ChatEntry, FromWebview, MemorySummary, ToWebview, WireCitation } from '../shared/protocol';
import { MAX_QUESTION_LENGTH, isToWebview } from '../shared/protocol';
import { el, renderMarkdown } from './render';

interface VsCodeApi {
  postMessage(message: FromWebview): void;
  getState(): unknown;
  setState(state: SavedState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

interface SavedState {
  readonly entries: readonly ChatEntry[];
  readonly multiRoot: boolean;
  readonly draft: string;
  readonly memory?: MemorySummary;
}

const vscode = acquireVsCodeApi();
const send = (message: FromWebview) => vscode.postMessage(message);

const transcript = document.getElementById('transcript')!;
const memoryLine = document.getElementById('memory')!;
const form = document.getElementById('composer') as HTMLFormElement;
const input = document.getElementById('question') as HTMLTextAreaElement;
const sendButton = document.getElementById('send') as HTMLButtonElement;
const stopButton = document.getElementById('stop') as HTMLButtonElement;
const clearButton = document.getElementById('clear') as HTMLButtonElement;

const saved = (vscode.getState() ?? {}) as Partial<SavedState>;
let entries: readonly ChatEntry[] = restoreHistory(saved.entries);
let multiRoot = saved.multiRoot ?? false;
let memory: MemorySummary | undefined = saved.memory;
input.value = typeof saved.draft === 'string' ? saved.draft : '';

/** Questions sent whose `start` has not come back yet. */
const pendingIds = new Set<string>();
/** Rendered entries by id; only entries that changed are rebuilt. */
const rendered = new Map<string, { entry: ChatEntry; node: HTMLElement }>();
let frame: number | undefined;

function save(): void {
  vscode.setState({ entries, multiRoot, draft: input.value, memory });
}

function streaming(): ChatEntry[] {
  return entries.filter((e) => e.state === 'streaming');
}

// ---- rendering ----

function scheduleRender(): void {
  if (frame === undefined) frame = requestAnimationFrame(() => { frame = undefined; render(); });
}

function render(): void {
  const nearBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 48;
  const ids = new Set(entries.map((e) => e.id));
  for (const [id, item] of rendered) {
    if (!ids.has(id)) { item.node.remove(); rendered.delete(id); }
  }
  let previous: HTMLElement | undefined;
  for (const entry of entries) {
    let item = rendered.get(entry.id);
    if (!item || item.entry !== entry) {
      const node = renderEntry(entry);
      if (item) item.node.replaceWith(node);
      item = { entry, node };
      rendered.set(entry.id, item);
    }
    const expected: Element | null = previous ? previous.nextElementSibling : transcript.firstElementChild;
    if (expected !== item.node) {
      if (previous) previous.after(item.node);
      else transcript.prepend(item.node);
    }
    previous = item.node;
  }
  renderEmpty();
  memoryLine.textContent = memory?.text ?? '';
  memoryLine.classList.toggle('reading', memory?.reading ?? false);
  const busy = streaming().length > 0;
  // Stop takes Send's place while an answer streams, so nothing else moves.
  if (stopButton.hidden === busy) {
    const hadFocus = document.activeElement === sendButton || document.activeElement === stopButton;
    stopButton.hidden = !busy;
    sendButton.hidden = busy;
    if (hadFocus) (busy ? stopButton : sendButton).focus();
  }
  clearButton.disabled = entries.length === 0;
  if (nearBottom) transcript.scrollTop = transcript.scrollHeight;
}

function renderEmpty(): void {
  const existing = document.getElementById('empty');
  if (entries.length > 0) { existing?.remove(); return; }
  if (existing) return;
  transcript.append(el('div', { className: 'empty', attrs: { id: 'empty' } },
    el('p', { text: 'Ask anything about this workspace. Mnemo answers from what it has read, with citations you can open.' }),
    el('p', { text: 'Summaries of files, selections and the whole workspace appear here too (Command Palette: “Mnemo”).' }),
  ));
}

function renderEntry(entry: ChatEntry): HTMLElement {
  const article = el('article', { className: `entry is-${entry.state}`, attrs: { 'aria-busy': String(entry.state === 'streaming') } });
  const who = entry.kind === 'summary' ? 'Summary' : 'You';
  const where = multiRoot ? ` · ${entry.folderName}` : '';
  article.append(el('header', { className: 'prompt' },
    el('span', { className: 'who', text: `${who}${where}` }),
    el('p', { className: 'prompt-text', text: entry.prompt }),
  ));

  const answer = el('div', { className: 'answer' });
  const quoted = entry.state === 'done' && entry.lead !== undefined && (entry.passages?.length ?? 0) > 0;
  if (quoted) {
    // The answer sentence, then each passage under its own link: the quoted lines are shown as
    // they are in the file (textContent, never Markdown or HTML).
    answer.append(renderMarkdown(entry.lead!));
    for (const passage of entry.passages!) {
      answer.append(el('figure', { className: 'passage' },
        el('figcaption', {}, citationButton(entry, passage.citation)),
        el('pre', { attrs: { tabindex: '0' } }, el('code', { text: passage.text })),
      ));
    }
  } else if (entry.text) {
    answer.append(renderMarkdown(entry.text));
  }
  if (entry.state === 'streaming') {
    answer.append(el('span', { className: 'cursor', text: entry.text ? '▍' : 'Thinking…', attrs: { 'aria-hidden': entry.text ? 'true' : 'false' } }));
  }
  article.append(answer);

  if (entry.state === 'error') {
    const logs = el('button', { className: 'link', text: 'Show Logs', attrs: { type: 'button' } });
    logs.addEventListener('click', () => send({ type: 'showLogs' }));
    article.append(el('p', { className: 'error', attrs: { role: 'alert' } }, document.createTextNode(entry.error ?? 'Something went wrong.'), document.createTextNode(' '), logs));
  }
  if (entry.state === 'cancelled') article.append(el('p', { className: 'note', text: 'Stopped.' }));
  const note = entry.state === 'done' ? coverageNote(entry.coverage) : undefined;
  if (note) article.append(el('p', { className: 'note coverage', text: note }));
  for (const warning of entry.state === 'done' ? entry.warnings ?? [] : []) {
    article.append(el('p', { className: 'note warning', attrs: { role: 'note' }, text: warning }));
  }

  if (entry.citations.length > 0 && !quoted) {
    const list = el('ul', { className: 'citations', attrs: { 'aria-label': 'Citations' } });
    for (const citation of entry.citations) list.append(el('li', {}, citationButton(entry, citation)));
    article.append(el('div', { className: 'sources' }, el('span', { className: 'sources-label', text: 'Sources' }), list));
  }

  if (entry.state !== 'streaming' && entry.text) {
    const copy = el('button', { className: 'secondary small', text: 'Copy', attrs: { type: 'button', 'aria-label': `Copy the answer to “${short(entry.prompt)}”` } });
    copy.addEventListener('click', () => {
      send({ type: 'copy', id: entry.id });
      copy.textContent = 'Copied';
      setTimeout(() => { copy.textContent = 'Copy'; }, 1500);
    });
    article.append(el('div', { className: 'entry-actions' }, copy));
  }
  return article;
}

function citationButton(entry: ChatEntry, citation: WireCitation): HTMLElement {
  const label = citationLabel(citation);
  const lines = citation.endLine > citation.startLine ? `lines ${citation.startLine} to ${citation.endLine}` : `line ${citation.startLine}`;
  const button = el('button', { className: 'citation', text: label, attrs: { type: 'button', title: `Open ${label}`, 'aria-label': `Open ${citation.path}, ${lines}` } });
  button.addEventListener('click', () => send({ type: 'openCitation', folder: entry.folder, citation }));
  return button;
}

function short(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

// ---- messages from the extension ----

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const message = event.data;
  if (!isToWebview(message)) return;
  receive(message);
});

function receive(message: ToWebview): void {
  switch (message.type) {
    case 'history':
      multiRoot = message.multiRoot;
      // The extension's history wins, but an answer this page started and the extension
      // has not acknowledged yet (its `start` is on the way) is kept.
      entries = [...restoreHistory(message.entries), ...entries.filter((e) => e.state === 'streaming' && !message.entries.some((m) => m.id === e.id) && pendingIds.has(e.id))];
      rendered.clear();
      transcript.replaceChildren();
      break;
    case 'memory':
      memory = message.memory;
      break;
    case 'focusInput':
      input.focus();
      return;
    default:
      if (message.type === 'start') pendingIds.delete(message.entry.id);
      entries = applyMessage(entries, message);
  }
  save();
  scheduleRender();
}

// ---- user input ----

function newId(): string {
  return `w${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

function submit(): void {
  const question = input.value.trim();
  if (question === '' || streaming().length > 0) return;
  if (question.length > MAX_QUESTION_LENGTH) {
    input.setCustomValidity(`Keep the question under ${MAX_QUESTION_LENGTH} characters.`);
    input.reportValidity();
    return;
  }
  const id = newId();
  pendingIds.add(id);
  entries = applyMessage(entries, {
    type: 'start',
    entry: { id, kind: 'ask', prompt: question, folder: '', folderName: '', text: '', citations: [], state: 'streaming', createdAt: Date.now() },
  });
  send({ type: 'ask', id, question });
  input.value = '';
  save();
  scheduleRender();
}

function stop(): void {
  for (const entry of streaming()) send({ type: 'cancel', id: entry.id });
}

form.addEventListener('submit', (event) => { event.preventDefault(); submit(); });
input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    submit();
  } else if (event.key === 'Escape' && streaming().length > 0) {
    event.preventDefault();
    stop();
  }
});
input.addEventListener('input', () => { input.setCustomValidity(''); save(); });
stopButton.addEventListener('click', () => { stop(); input.focus(); });
clearButton.addEventListener('click', () => {
  send({ type: 'clear' });
  input.focus();
});

render();
send({ type: 'ready' });
