import { describe, expect, it } from 'vitest';
import { parseListParams } from './filters.ts';
import { listPath, storePath } from './links.ts';

describe('links', () => {
  it('builds list paths from the state', () => {
    expect(listPath()).toBe('');
    expect(listPath(parseListParams(new URLSearchParams('source=cache&q=a b')))).toBe('?source=cache&q=a+b');
  });

  it('encodes global ids, which are base64 and may hold / or +', () => {
    expect(storePath('VmVj/dG9y+U3Rvcm=')).toBe('stores/VmVj%2FdG9y%2BU3Rvcm%3D');
    expect(storePath('abc', '?after=x')).toBe('stores/abc?after=x');
  });
});
