// parsePage reads a page a slice at a time with the tree parse5 gives in one
// go, hands the event loop back while it reads, and refuses shapes no Django
// admin page has. The hostile server end to end is test/integration/hostile-admin-page.test.ts.
import { serialize } from 'parse5';
import { describe, expect, it } from 'vitest';
import { PAGE_SHAPE_LIMITS, PageTooComplex, parseHtml, parsePage, readPage, text, type Element } from './html.ts';

const html = (root: Element) => serialize(root);

describe('parsePage', () => {
  it('builds the same tree as a parse at once, whatever falls on a slice boundary', async () => {
    // A surrogate pair, a CRLF, a character reference and a tag each straddle one of the 16 KiB slice boundaries.
    for (const at of [16_383, 16_384, 32_767]) {
      for (const piece of ['😀', '\r\n', '&amp;', '<b title="x\r\ny">t</b>']) {
        const head = '<!doctype html><html><body><p>';
        const page = `${head}${'x'.repeat(at - head.length - 1)}${piece}<template><i>in a template</i></template>é</p></body></html>`;
        expect(html(await parsePage(page)), `${JSON.stringify(piece)} at ${at}`).toBe(html(parseHtml(page)));
      }
    }
  });

  it('reads bytes as the same page and text, whatever UTF-8 sequence falls on a slice boundary', async () => {
    for (const at of [16_381, 16_382, 16_383, 16_384]) {
      for (const piece of ['😀', 'é', '€', '\uFEFF']) {
        const head = '<!doctype html><html><body><p>';
        const page = `${head}${'x'.repeat(at - head.length)}${piece}</p></body></html>`;
        const bytes = Buffer.from(page);
        // One chunk, and the same bytes cut in two where the slice boundary falls.
        for (const chunks of [[bytes], [bytes.subarray(0, at + 1), bytes.subarray(at + 1)]]) {
          const read = await readPage(chunks);
          expect(read.text, `${JSON.stringify(piece)} at ${at}`).toBe(page);
          expect(html(read.html)).toBe(html(parseHtml(page)));
        }
      }
    }
    expect((await readPage([])).text).toBe('');
  });

  it('hands the event loop back while it reads a large page', async () => {
    const page = `<html><body><table>${'<tr><td class="field-username"><a href="/admin/users/user/1/change/">u000001</a></td></tr>'.repeat(12_000)}</table></body></html>`;
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    const root = await parsePage(page);
    clearInterval(timer);
    expect(text(root)).toHaveLength('u000001'.length * 12_000);
    // A parse at once lets no timer run before it ends.
    expect(ticks).toBeGreaterThan(0);
  });

  it(`reads a page nested ${PAGE_SHAPE_LIMITS.depth - 10} deep, and refuses one nested deeper than ${PAGE_SHAPE_LIMITS.depth}`, async () => {
    const nested = (n: number, tag = 'div') => `<html><body>${`<${tag}>`.repeat(n)}deep</body></html>`;
    expect(text(await parsePage(nested(PAGE_SHAPE_LIMITS.depth - 10)))).toBe('deep');
    await expect(parsePage(nested(PAGE_SHAPE_LIMITS.depth))).rejects.toThrow(PageTooComplex);
    // Formatting elements are reopened by the parser itself; templates start a fragment of their own: neither escapes the count.
    await expect(parsePage(nested(100_000, 'b'))).rejects.toThrow(`nests elements more than ${PAGE_SHAPE_LIMITS.depth} deep`);
    await expect(parsePage(nested(100_000, 'template'))).rejects.toThrow(PageTooComplex);
    expect(() => parseHtml(nested(PAGE_SHAPE_LIMITS.depth))).toThrow(PageTooComplex);
  });

  it(`refuses more than ${PAGE_SHAPE_LIMITS.elements.toLocaleString('en-US')} elements`, async () => {
    const many = (n: number) => `<html><body>${'<i></i>'.repeat(n)}</body></html>`;
    // html, head and body are elements too.
    await expect(parsePage(many(PAGE_SHAPE_LIMITS.elements - 3))).resolves.toBeDefined();
    await expect(parsePage(many(PAGE_SHAPE_LIMITS.elements))).rejects.toThrow(`has more than ${PAGE_SHAPE_LIMITS.elements.toLocaleString('en-US')} elements`);
  });
});
