import { setImmediate as nextTurn } from 'node:timers/promises';
import { defaultTreeAdapter, parse, Parser, type DefaultTreeAdapterMap, type TreeAdapter } from 'parse5';

/**
 * The few DOM queries the remote backend needs, over parse5's tree. parse5
 * parses exactly as browsers do (the WHATWG algorithm), so a page is read the
 * way the admin site's own users see it, whatever its theme or stray markup.
 * Queries go by names, ids and Django's stable classes (`field-<name>`,
 * `column-<name>`), never by position in the layout.
 */
export type Element = DefaultTreeAdapterMap['element'];
type ParentNode = DefaultTreeAdapterMap['parentNode'];
type ChildNode = DefaultTreeAdapterMap['childNode'];

/**
 * What a page may hold before it is refused. Django's admin pages nest about
 * 20 deep and a 200-row change list has about 3,200 elements (a 1,000-row
 * one about 16,000). The HTML algorithm does work per tag that grows with
 * the depth of open elements (scope checks, formatting elements): 2 MiB of
 * nested `<b>` cost parse5 4.5 s, of nested `<div>` 1.2 s and 240 MB. Each
 * element costs a few hundred bytes of tree, so the element count bounds a
 * page's memory (about 25 MB at the limit) whatever its bytes hold.
 */
export const PAGE_SHAPE_LIMITS = { depth: 256, elements: 50_000 } as const;

/** A page nested deeper or holding more elements than PAGE_SHAPE_LIMITS. */
export class PageTooComplex extends Error {
  constructor(readonly why: string) {
    super(`the page ${why}`);
    this.name = 'PageTooComplex';
  }
}

/**
 * The string, flattened: V8 copies a rope into one flat string the first time
 * a character of it is read, and lets the rope's nodes go (what pino's
 * flatstr did for its log lines).
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

type TextNode = DefaultTreeAdapterMap['textNode'];

/**
 * parse5's own tree, counting elements and refusing depth as they are
 * inserted, with its strings flat. parse5 hands text over a word at a time
 * (whitespace and the rest are separate tokens) and appends each to the text
 * node with `+=`, which V8 keeps as a rope of slices of the parser's input
 * buffers: a 2 MiB page kept 35 MB of them in its tree. Each text node is
 * flattened once, when text goes to another node, so the work stays linear.
 */
function boundedTreeAdapter(): TreeAdapter<DefaultTreeAdapterMap> & { done(): void } {
  let elements = 0;
  let growing: TextNode | null = null;
  const grew = (node: ChildNode | undefined) => {
    if (!node || node.nodeName !== '#text' || node === growing) return;
    if (growing) flat(growing.value);
    growing = node as TextNode;
  };
  // A template's content is a fragment without a parent: depth goes on through its template.
  const templateOf = new Map<ParentNode, ParentNode>();
  // Walks at most `depth` ancestors, and only while the limit holds: linear in the page.
  const place = (parent: ParentNode) => {
    let depth = 1;
    for (let p: ParentNode | null = parent; p; p = 'parentNode' in p ? p.parentNode : (templateOf.get(p) ?? null)) {
      if (++depth > PAGE_SHAPE_LIMITS.depth) throw new PageTooComplex(`nests elements more than ${PAGE_SHAPE_LIMITS.depth} deep`);
    }
  };
  return {
    ...defaultTreeAdapter,
    createElement(tagName, namespaceURI, attrs) {
      if (++elements > PAGE_SHAPE_LIMITS.elements) throw new PageTooComplex(`has more than ${PAGE_SHAPE_LIMITS.elements.toLocaleString('en-US')} elements`);
      for (const a of attrs) flat(a.value);
      return defaultTreeAdapter.createElement(tagName, namespaceURI, attrs);
    },
    insertText(parent, text) {
      defaultTreeAdapter.insertText(parent, text);
      grew(parent.childNodes.at(-1));
    },
    insertTextBefore(parent, text, reference) {
      defaultTreeAdapter.insertTextBefore(parent, text, reference);
      grew(parent.childNodes[parent.childNodes.indexOf(reference) - 1]);
    },
    setTemplateContent(template, content) {
      templateOf.set(content, template);
      defaultTreeAdapter.setTemplateContent(template, content);
    },
    appendChild(parent, node) {
      place(parent);
      defaultTreeAdapter.appendChild(parent, node);
    },
    insertBefore(parent, node, reference) {
      place(parent);
      defaultTreeAdapter.insertBefore(parent, node, reference);
    },
    done() {
      if (growing) flat(growing.value);
      growing = null;
    },
  };
}

function rootOf(doc: DefaultTreeAdapterMap['document']): Element {
  const root = doc.childNodes.find((n): n is Element => 'tagName' in n);
  if (!root) throw new Error('no document element');
  return root;
}

/** A page parsed at once: for markup known to be small (tests, fragments). Pages from a server go through parsePage. */
export function parseHtml(html: string): Element {
  const treeAdapter = boundedTreeAdapter();
  const doc = parse(html, { treeAdapter });
  treeAdapter.done();
  return rootOf(doc);
}

/** How much is parsed between looks at the clock, and how long parsing holds the event loop before it yields. */
const SLICE = 16_384;
const HOLD_MS = 4;

/**
 * A page parsed a slice at a time through parse5's streaming entry (the
 * tokenizer takes chunks, as parse5-parser-stream feeds it), handing the
 * event loop back every few milliseconds: in the console's main process a
 * large page must not freeze the window's IPC while it is read. The tree is
 * the same as parseHtml's. A normal page (a 200-row change list is about
 * 160 KB) parses within one or two holds, so it costs no extra turn.
 */
async function parseSlices(slices: Iterator<string>): Promise<Element> {
  const treeAdapter = boundedTreeAdapter();
  const parser = new Parser<DefaultTreeAdapterMap>({ treeAdapter });
  let held = performance.now();
  for (let next = slices.next(); ;) {
    const slice = next.done ? '' : next.value;
    next = slices.next();
    parser.tokenizer.write(slice, next.done === true);
    if (next.done) break;
    if (performance.now() - held >= HOLD_MS) {
      await nextTurn();
      held = performance.now();
    }
  }
  treeAdapter.done();
  return rootOf(parser.document);
}

/** A page already held as a string, parsed a slice at a time (parseSlices). */
export function parsePage(html: string): Promise<Element> {
  return parseSlices(
    (function* () {
      for (let at = 0; at < html.length;) {
        let end = Math.min(at + SLICE, html.length);
        // Never split a surrogate pair between two writes.
        if (end < html.length && /[\uD800-\uDBFF]/.test(html[end - 1]!)) end++;
        yield html.slice(at, end);
        at = end;
      }
    })(),
  );
}

/**
 * An answer's bytes, decoded as UTF-8 and parsed a slice at a time: decoding
 * a 2 MiB page at once is itself 6-10 ms of the event loop, so the decoding
 * goes slice by slice with the parse (a character split between two slices
 * is kept for the next one). Answers the tree and the text, which is only
 * joined into one string if something reads it.
 */
export async function readPage(chunks: readonly Uint8Array[]): Promise<{ html: Element; text: string }> {
  // A byte order mark stays in the text, as Buffer.toString leaves it.
  const decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  let text = '';
  const html = await parseSlices(
    (function* () {
      for (let c = 0; c < chunks.length; c++) {
        const chunk = chunks[c]!;
        for (let at = 0; at < chunk.length; at += SLICE) {
          const more = c < chunks.length - 1 || at + SLICE < chunk.length;
          const piece = decoder.decode(chunk.subarray(at, at + SLICE), { stream: more });
          text += piece;
          yield piece;
        }
      }
    })(),
  );
  return { html, text };
}

const isElement = (n: ChildNode): n is Element => 'tagName' in n;

/** Every element under `root` (not `root` itself), in document order. */
export function* descendants(root: ParentNode): Generator<Element> {
  const stack: ChildNode[] = [...root.childNodes].reverse();
  while (stack.length) {
    const n = stack.pop()!;
    if (!isElement(n)) continue;
    yield n;
    for (let i = n.childNodes.length - 1; i >= 0; i--) stack.push(n.childNodes[i]!);
  }
}

export function findAll(root: ParentNode, test: (e: Element) => boolean): Element[] {
  const out: Element[] = [];
  for (const e of descendants(root)) if (test(e)) out.push(e);
  return out;
}

export function find(root: ParentNode, test: (e: Element) => boolean): Element | null {
  for (const e of descendants(root)) if (test(e)) return e;
  return null;
}

export function attr(e: Element, name: string): string | null {
  return e.attrs.find((a) => a.name === name)?.value ?? null;
}

export function classes(e: Element): string[] {
  return (attr(e, 'class') ?? '').split(/\s+/).filter(Boolean);
}

export const hasClass = (e: Element, name: string) => classes(e).includes(name);
export const tag = (name: string) => (e: Element) => e.tagName === name;
export const byId = (root: ParentNode, id: string) => find(root, (e) => attr(e, 'id') === id);

/** The value of a `<prefix><name>` class (`field-email` -> `email`), if the element has one. */
export function classSuffix(e: Element, prefix: string): string | null {
  const c = classes(e).find((x) => x.startsWith(prefix));
  return c ? c.slice(prefix.length) : null;
}

/** Text content with runs of white space collapsed (non-breaking spaces included), trimmed. */
export function text(root: ParentNode): string {
  let out = '';
  const walk = (n: ChildNode) => {
    if (n.nodeName === '#text') out += (n as DefaultTreeAdapterMap['textNode']).value;
    else if (isElement(n)) for (const c of n.childNodes) walk(c);
  };
  for (const c of root.childNodes) walk(c);
  return out.replace(/[\s\u00a0]+/g, ' ').trim();
}

/** The raw text of an element (a textarea's value keeps its line breaks). */
export function rawText(e: Element): string {
  return e.childNodes.map((c) => (c.nodeName === '#text' ? (c as DefaultTreeAdapterMap['textNode']).value : '')).join('');
}

export function* ancestors(e: Element): Generator<Element> {
  let p = e.parentNode;
  while (p && 'tagName' in p) {
    yield p as Element;
    p = (p as Element).parentNode;
  }
}

export function closest(e: Element, test: (x: Element) => boolean): Element | null {
  for (const a of ancestors(e)) if (test(a)) return a;
  return null;
}
