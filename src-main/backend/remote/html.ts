import { parse, type DefaultTreeAdapterMap } from 'parse5';

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

export function parseHtml(html: string): Element {
  const doc = parse(html);
  const root = doc.childNodes.find((n): n is Element => 'tagName' in n);
  if (!root) throw new Error('no document element');
  return root;
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
