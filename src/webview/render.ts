// Builds DOM for answers. Only `createElement` and `textContent`: no string of an answer is
// ever parsed as HTML, so markup or script in model output shows as plain text.

import type { Block, Inline } from '../shared/markdown';
import { parseMarkdown } from '../shared/markdown';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; attrs?: Record<string, string> } = {},
  ...children: Node[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  for (const [name, value] of Object.entries(props.attrs ?? {})) node.setAttribute(name, value);
  for (const child of children) node.append(child);
  return node;
}

export function renderMarkdown(source: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const block of parseMarkdown(source)) fragment.append(renderBlock(block));
  return fragment;
}

function renderBlock(block: Block): HTMLElement {
  switch (block.kind) {
    case 'paragraph':
      return el('p', {}, ...block.inlines.map(renderInline));
    case 'heading': {
      // Answers sit under the question; their headings start at h3 so the page outline holds.
      const level = Math.min(6, block.level + 2);
      return el(`h${level}` as 'h3', {}, ...block.inlines.map(renderInline));
    }
    case 'code': {
      const code = el('code', { text: block.text });
      if (block.language) code.dataset.language = block.language;
      return el('pre', { attrs: { tabindex: '0' } }, code);
    }
    case 'list':
      return el(block.ordered ? 'ol' : 'ul', {}, ...block.items.map((item) => el('li', {}, ...item.map(renderInline))));
    case 'quote':
      return el('blockquote', {}, el('p', {}, ...block.inlines.map(renderInline)));
  }
}

function renderInline(inline: Inline): Node {
  switch (inline.kind) {
    case 'text':
      return document.createTextNode(inline.text);
    case 'code':
      return el('code', { text: inline.text });
    case 'strong':
      return el('strong', {}, ...inline.children.map(renderInline));
    case 'em':
      return el('em', {}, ...inline.children.map(renderInline));
  }
}
