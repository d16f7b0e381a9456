import { describe, expect, it, vi } from 'vitest';
import { readListAnswer } from '../../src/openai/list-answer.ts';

/** A body that arrives in pieces of these byte lengths (the last piece takes what is left). */
function bodyOf(text: string, pieces: number[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const size of pieces) {
    if (at >= bytes.length) break;
    chunks.push(bytes.subarray(at, at + size));
    at += size;
  }
  if (at < bytes.length) chunks.push(bytes.subarray(at));
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** Every way of cutting `text` into pieces of one size, for a few sizes (1 byte cuts inside every character). */
const CUTS = [[1_000_000], ...[1, 2, 3, 5, 7, 16].map((size) => Array<number>(10_000).fill(size))];

/** The answer is what `response.text()` then JSON.parse gives (a byte-order mark dropped), however the body is cut. */
async function expectParsedAsWhole(text: string): Promise<void> {
  const whole: unknown = JSON.parse(text.replace(/^\ufeff/, ''));
  for (const cut of CUTS) expect(await readListAnswer(bodyOf(text, cut))).toEqual(whole);
}

async function expectRefusedAsWhole(text: string): Promise<void> {
  expect(() => JSON.parse(text)).toThrow(SyntaxError);
  for (const cut of CUTS) await expect(readListAnswer(bodyOf(text, cut))).rejects.toThrow(SyntaxError);
}

const tricky = {
  id: 'file-1',
  // Everything the splitter reads, inside strings: separators, brackets, quotes, escapes.
  filename: 'a, b] [c} {d" \\"e\\\\',
  purpose: 'assistants',
  metadata: { data: [1, { data: [] }], 'x"data"': [2] },
  nested: [[], [[{}]], { a: [',', ']'] }],
  unicode: 'é 日本 😀',
  bytes: 1.5e3,
  deleted: false,
  nothing: null,
};

describe('readListAnswer', () => {
  it('reads list answers as JSON.parse reads them, however the body is cut', async () => {
    await expectParsedAsWhole(
      JSON.stringify({
        object: 'list',
        data: [tricky, { id: 'file-2' }],
        first_id: 'file-1',
        has_more: true,
      }),
    );
    // As OpenAI sends it: indented, `data` not first.
    await expectParsedAsWhole(
      JSON.stringify(
        { object: 'list', first_id: null, data: [tricky, tricky, 3, 'x', null, []], has_more: false },
        null,
        2,
      ),
    );
    await expectParsedAsWhole('{"object":"list","data":[],"has_more":false}');
    await expectParsedAsWhole('{ "data" : [ ] , "has_more" : false }');
    await expectParsedAsWhole('\ufeff{"data":[{"id":"a"}],"metadata":[1,2],"has_more":false}');
    await expectParsedAsWhole('  {"data"\n:\n[\n{"id":"a"}\n,\n{"id":"b"}\n]\n}\n');
  });

  it('never holds the whole answer: each element is parsed on its own, then the answer around them', async () => {
    const files = Array.from({ length: 1000 }, (_, i) => ({ ...tricky, id: `file-${i}` }));
    const text = JSON.stringify({ object: 'list', data: files, has_more: false });
    const parse = vi.spyOn(JSON, 'parse');
    try {
      expect(await readListAnswer(bodyOf(text, Array<number>(1000).fill(4096)))).toEqual({
        object: 'list',
        data: files,
        has_more: false,
      });
      // The 1,000 elements, the key `data` (to know it is that key), and the answer around them.
      expect(parse).toHaveBeenCalledTimes(1002);
      const longest = Math.max(...parse.mock.calls.map(([parsed]) => parsed.length));
      expect(longest).toBe(JSON.stringify(files[999]).length);
    } finally {
      parse.mockRestore();
    }
  });

  it('hands each element to `read` once parsed, and keeps what it returns in its place', async () => {
    const text = JSON.stringify({ object: 'list', data: [tricky, { id: 'file-2' }, 3], has_more: true });
    const seen: unknown[] = [];
    const read = (element: unknown) => {
      seen.push(element);
      return typeof element === 'object' ? (element as { id: string }).id : null;
    };
    expect(await readListAnswer(bodyOf(text, [text.indexOf('file-2')]), read)).toEqual({
      object: 'list',
      data: ['file-1', 'file-2', null],
      has_more: true,
    });
    expect(seen).toEqual([tricky, { id: 'file-2' }, 3]);
    // `data` given twice: the last one counts, as in JSON.parse, and only its elements are kept.
    expect(await readListAnswer(bodyOf('{"data":[{"id":"a"}],"data":[{"id":"b"}]}', [7]), read)).toEqual({
      data: ['b'],
    });
  });

  it('reads answers that are not lists as JSON.parse does', async () => {
    await expectParsedAsWhole('{"object":"list","data":null,"has_more":false}');
    await expectParsedAsWhole('{"data":{"a":[1]},"has_more":false}');
    await expectParsedAsWhole('{"metadata":[1],"has_more":false}');
    await expectParsedAsWhole('[{"data":[1]}]');
    await expectParsedAsWhole('null');
    // A key given twice: the last one counts.
    await expectParsedAsWhole('{"data":[1,2],"data":[3]}');
    await expectParsedAsWhole('{"data":[1,2],"data":"none"}');
    // Keys that only look like `data` in the text.
    await expectParsedAsWhole('{"x\\"data":[1],"\\u0064ata":[2],"data ":[3],"da\\"ta":[4]}');
  });

  it('refuses what JSON.parse refuses: cut-off answers, stray or missing separators', async () => {
    const whole = JSON.stringify({ object: 'list', data: [tricky, tricky], has_more: false });
    for (const end of [0, 1, 20, whole.indexOf('[') + 1, whole.indexOf('}') + 1, whole.length - 1]) {
      await expectRefusedAsWhole(whole.slice(0, end));
    }
    await expectRefusedAsWhole('{"data":[{"id":"a"},]}');
    await expectRefusedAsWhole('{"data":[,{"id":"a"}]}');
    await expectRefusedAsWhole('{"data":[{"id":"a"} {"id":"b"}]}');
    await expectRefusedAsWhole('{"data":[{"id":"a"}]]}');
    await expectRefusedAsWhole('{"data":[{"id":"a}]}');
    await expectRefusedAsWhole('{"data":[1],"has_more":false}x');
  });

  it('reads an empty body as JSON.parse reads an empty text: refused', async () => {
    await expectRefusedAsWhole('');
    await expect(readListAnswer(null)).rejects.toThrow(SyntaxError);
  });
});
