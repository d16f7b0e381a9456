/**
 * What "indexing" means in the emulator: a File is accepted if file search supports its type and its
 * content is readable; its text is what search matches and what the content endpoint returns.
 */

// File search's supported extensions (OpenAI retrieval guide, "Supported files").
const SUPPORTED_EXTENSIONS = new Set([
  'c',
  'cpp',
  'cs',
  'css',
  'doc',
  'docx',
  'go',
  'html',
  'java',
  'js',
  'json',
  'md',
  'pdf',
  'php',
  'pptx',
  'py',
  'rb',
  'sh',
  'tex',
  'ts',
  'txt',
]);
// Formats that are binary by nature; every other supported type must be text.
const BINARY_FORMATS = new Set(['doc', 'docx', 'pdf', 'pptx']);

const extensionOf = (filename: string): string => {
  const dot = filename.lastIndexOf('.');
  return dot < 0 ? '' : filename.slice(dot + 1).toLowerCase();
};

/** Why a File cannot be indexed, or null when it can. */
export function indexingFailure(filename: string, content: Buffer): string | null {
  const extension = extensionOf(filename);
  if (!SUPPORTED_EXTENSIONS.has(extension)) {
    return `The file type ${extension === '' ? '(none)' : `.${extension}`} is not supported for retrieval.`;
  }
  if (content.length === 0) return 'The file is empty.';
  if (!BINARY_FORMATS.has(extension) && content.subarray(0, 1024).includes(0)) {
    return `The file ${filename} is not valid ${extension} text.`;
  }
  return null;
}

export const textOf = (content: Buffer): string => content.toString('utf8');

// --- lexical search ---------------------------------------------------------------------------------

const tokenize = (text: string): string[] => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];

export interface SearchHit {
  score: number;
  chunks: string[];
}

/**
 * Scores a text against query terms: the share of distinct terms it contains (0..1), and the
 * paragraphs that contain any of them (at most three) as the matching chunks.
 */
export function lexicalMatch(text: string, terms: string[]): SearchHit | null {
  if (terms.length === 0) return null;
  const words = new Set(tokenize(text));
  const found = terms.filter((term) => words.has(term));
  if (found.length === 0) return null;
  const chunks = text
    .split(/\n\s*\n/)
    .filter((paragraph) => tokenize(paragraph).some((word) => found.includes(word)))
    .slice(0, 3)
    .map((paragraph) => paragraph.trim());
  return { score: found.length / terms.length, chunks };
}

export const queryTerms = (query: string | string[]): string[] => [
  ...new Set((Array.isArray(query) ? query : [query]).flatMap(tokenize)),
];

// --- attribute filters ------------------------------------------------------------------------------

export type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

export type ComparisonFilter = {
  type: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';
  key: string;
  value: AttributeValue | Array<string | number>;
};
export type CompoundFilter = { type: 'and' | 'or'; filters: Array<ComparisonFilter | CompoundFilter> };
export type AttributeFilter = ComparisonFilter | CompoundFilter;

export function matchesFilter(attributes: Attributes | null, filter: AttributeFilter): boolean {
  if ('filters' in filter) {
    return filter.type === 'and'
      ? filter.filters.every((inner) => matchesFilter(attributes, inner))
      : filter.filters.some((inner) => matchesFilter(attributes, inner));
  }
  return compare(attributes?.[filter.key], filter);
}

function compare(actual: AttributeValue | undefined, filter: ComparisonFilter): boolean {
  const expected = filter.value;
  switch (filter.type) {
    case 'eq':
      return actual === expected;
    case 'ne':
      return actual !== expected;
    case 'in':
      return (
        Array.isArray(expected) && actual !== undefined && (expected as AttributeValue[]).includes(actual)
      );
    case 'nin':
      return (
        Array.isArray(expected) && !(actual !== undefined && (expected as AttributeValue[]).includes(actual))
      );
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (actual === undefined || Array.isArray(expected) || typeof actual !== typeof expected) return false;
      const order = actual < expected ? -1 : actual > expected ? 1 : 0;
      if (filter.type === 'gt') return order > 0;
      if (filter.type === 'gte') return order >= 0;
      if (filter.type === 'lt') return order < 0;
      return order <= 0;
    }
  }
}
