import { describe, expect, it } from 'vitest';
import { csvCell, csvRow, csvText } from './csv-write.ts';

describe('csv-write', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","click")')).toBe(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    for (const s of ['+1+1', '-2+3', '@SUM(A1)', '\tx', '\rx']) expect(csvCell(s).replace(/^"/, '').startsWith(`'`)).toBe(true);
    expect(csvCell('a=b')).toBe('a=b');
    expect(csvCell(-5)).toBe('-5');
  });
  it('quotes per RFC 4180 and writes CRLF rows', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(true)).toBe('true');
    expect(csvRow(['ü', 1, false, undefined])).toBe('ü,1,false,\r\n');
    expect(csvText(['a', 'b'], [[1, 2]])).toBe('a,b\r\n1,2\r\n');
  });
});
