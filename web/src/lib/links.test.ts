import { describe, expect, it } from 'vitest';
import { parseListParams } from './filters.ts';
import { auditPath, auditQuery, listPath, storePath } from './links.ts';

describe('links', () => {
  it('builds list paths from the state', () => {
    expect(listPath()).toBe('');
    expect(listPath(parseListParams(new URLSearchParams('source=cache&q=a b')))).toBe('?source=cache&q=a+b');
  });

  it('encodes global ids, which are base64 and may hold / or +', () => {
    expect(storePath('VmVj/dG9y+U3Rvcm=')).toBe('stores/VmVj%2FdG9y%2BU3Rvcm%3D');
    expect(storePath('abc', '?after=x')).toBe('stores/abc?after=x');
  });

  it('keeps the audit filters in the URL and leaves out the empty ones', () => {
    const none = { kind: null, actor: null, target: null };
    expect(auditPath(auditQuery(none))).toBe('audit');
    expect(auditQuery({ ...none, kind: 'DELETE_VECTOR_STORE' }, { after: 'a+b/=' })).toBe(
      '?kind=DELETE_VECTOR_STORE&after=a%2Bb%2F%3D',
    );
    expect(auditQuery({ kind: null, actor: 't1', target: 'VmVj/+' }, { before: 'c' })).toBe(
      '?actor=t1&target=VmVj%2F%2B&before=c',
    );
  });
});
