/**
 * Reads an OpenAI list answer (`{"object": "list", "data": [...], "has_more": ...}`) from its body as
 * it arrives, and returns what `JSON.parse` of the whole body would: each element of `data` is parsed on
 * its own as soon as its text is complete, and the rest of the answer around them.
 *
 * Why not `response.json()` (or the SDK's `text()` then `JSON.parse`): that holds the whole answer as
 * one string, and a 10,000-File page is a 2 MB string, which Node keeps outside the JavaScript heap. It
 * lives through the parse of the page, long enough to be promoted, and is then freed only by a full
 * collection: through a listing of a million Files these strings piled up to tens of MB of the sync's
 * peak memory. Here the text is held one network chunk (plus one element) at a time.
 *
 * `read`, when given, turns each element into what is kept of it as soon as the element is parsed (in
 * `data`'s place), so that the raw objects of a 10,000-File page never live all at once.
 *
 * Nothing is accepted that `JSON.parse` of the whole answer would refuse: the splitting only follows
 * strings and nesting to find where the elements of `data` end, and every element, and the answer around
 * them, still goes through `JSON.parse`.
 */
export async function readListAnswer(
  body: ReadableStream<Uint8Array> | null,
  read: (element: unknown) => unknown = (element) => element,
): Promise<unknown> {
  const splitter = new ListSplitter(read);
  // As `response.text()` decodes: UTF-8, a byte-order mark dropped, bad bytes replaced.
  const decoder = new TextDecoder();
  if (body) for await (const chunk of body) splitter.write(decoder.decode(chunk, { stream: true }));
  splitter.write(decoder.decode());
  return splitter.end();
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

/** The key (a JSON string and its colon) the text ends with, if it ends with one. */
const KEY_AT_END = /"(?:[^"\\]|\\.)*"(?=\s*:\s*$)/;

/** Whether `before`, the top-level object up to a `[`, ends with the key `data`. */
function endsWithDataKey(before: string): boolean {
  const key = KEY_AT_END.exec(before)?.[0];
  return key !== undefined && JSON.parse(key) === 'data';
}

/** Splits a list answer's text, written in pieces, into the elements of `data` and the rest. */
export class ListSplitter {
  /** The answer without the elements of `data` (its `[` and `]` kept), as far as it has been read. */
  private outside = '';
  /** Inside `data`: the text of the element being read, up to where it has been scanned. */
  private element = '';
  private inData = false;
  /** The elements of the top-level object's `data` array (null: none met yet). */
  private elements: unknown[] | null = null;
  /** Scanner state, carried from one piece to the next. */
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** `read`: what each element of `data` becomes once parsed (the element itself by default). */
  constructor(private readonly read: (element: unknown) => unknown = (element) => element) {}

  write(piece: string): void {
    if (piece === '') return;
    const scanned = this.element.length;
    const text = this.element + piece;
    /** Where the text not yet handed on (to `outside` or as an element) starts. */
    let from = 0;
    for (let i = scanned; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN_BRACE) this.depth++;
      else if (c === CLOSE_BRACE) this.depth--;
      else if (c === OPEN_BRACKET) {
        if (this.depth === 1 && !this.inData && endsWithDataKey(this.outside + text.slice(from, i))) {
          this.outside += text.slice(from, i + 1);
          from = i + 1;
          this.inData = true;
          // A key given twice counts once, as JSON.parse reads it: the last.
          this.elements = [];
        }
        this.depth++;
      } else if (this.inData && this.depth === 2 && (c === COMMA || c === CLOSE_BRACKET)) {
        this.hand(text.slice(from, i), c === CLOSE_BRACKET);
        from = c === COMMA ? i + 1 : i;
        if (c === CLOSE_BRACKET) {
          this.inData = false;
          this.depth--;
        }
      } else if (c === CLOSE_BRACKET) this.depth--;
    }
    if (this.inData) this.element = text.slice(from);
    else {
      this.outside += text.slice(from);
      this.element = '';
    }
  }

  /** The answer, parsed (throws when the text written was not one complete JSON value). */
  end(): unknown {
    // An answer cut off inside `data` leaves `outside` unfinished: JSON.parse refuses it.
    const answer = JSON.parse(this.outside) as { data?: unknown } | null;
    // `data` was split off (an array, left empty here) unless a later `data` key was not an array.
    if (this.elements && Array.isArray(answer?.data)) answer.data = this.elements;
    return answer;
  }

  private hand(text: string, last: boolean): void {
    // `[]` (and `[ ]`) has no element; an empty element anywhere else (`[1,]`) is refused by JSON.parse.
    if (last && this.elements!.length === 0 && text.trim() === '') return;
    this.elements!.push(this.read(JSON.parse(text)));
  }
}
