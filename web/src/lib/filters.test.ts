import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SORT,
  firstPage,
  hasFilters,
  listQuery,
  parseListParams,
  parseSort,
  toQueryVariables,
  toSearchParams,
  toggleSort,
  type StoreListParams,
} from './filters.ts';

const q = (s: string) => new URLSearchParams(s);

describe('parseListParams', () => {
  it('reads every parameter', () => {
    expect(
      parseListParams(
        q('source=cache&backend=openai&status=expired&q=%20invoices%20&expiring=7&sort=-name&after=abc'),
      ),
    ).toEqual({
      source: 'CACHE',
      backend: 'OPENAI',
      status: 'EXPIRED',
      search: 'invoices',
      expiringWithinDays: 7,
      sort: { field: 'NAME', direction: 'DESC' },
      after: 'abc',
      before: null,
    });
  });

  it('falls back to "all" on unknown values', () => {
    const params = parseListParams(q('source=nope&backend=&status=1&expiring=-3&sort=-colour'));
    expect(params).toMatchObject({
      source: null,
      backend: null,
      status: null,
      expiringWithinDays: null,
      sort: DEFAULT_SORT,
    });
    expect(parseListParams(q('expiring=2.5')).expiringWithinDays).toBeNull();
    expect(parseListParams(q('expiring=99999')).expiringWithinDays).toBeNull();
  });

  it('accepts any case and caps the search length', () => {
    expect(parseListParams(q('source=Primary&status=IN_PROGRESS'))).toMatchObject({
      source: 'PRIMARY',
      status: 'IN_PROGRESS',
    });
    expect(parseListParams(q(`q=${'x'.repeat(500)}`)).search).toHaveLength(200);
  });

  it('prefers after over before', () => {
    expect(parseListParams(q('after=a&before=b'))).toMatchObject({ after: 'a', before: null });
    expect(parseListParams(q('before=b'))).toMatchObject({ after: null, before: 'b' });
  });
});

describe('toSearchParams', () => {
  it('round-trips and leaves defaults out', () => {
    const text = 'source=primary&backend=local&status=deleting&q=a+b&expiring=30&sort=usage_bytes&before=xyz';
    expect(toSearchParams(parseListParams(q(text))).toString()).toBe(text);
    expect(toSearchParams(parseListParams(q('sort=-created_at'))).toString()).toBe('');
  });

  it('builds links', () => {
    const params = parseListParams(q('source=cache&after=c1'));
    expect(listQuery(firstPage(params))).toBe('?source=cache');
    expect(listQuery(parseListParams(q('')))).toBe('');
  });
});

describe('parseSort and toggleSort', () => {
  it('parses both directions', () => {
    expect(parseSort('expires_at')).toEqual({ field: 'EXPIRES_AT', direction: 'ASC' });
    expect(parseSort('-last_active_at')).toEqual({ field: 'LAST_ACTIVE_AT', direction: 'DESC' });
    expect(parseSort(null)).toEqual(DEFAULT_SORT);
  });

  it('flips the active column and starts others ascending', () => {
    expect(toggleSort({ field: 'NAME', direction: 'ASC' }, 'NAME')).toEqual({
      field: 'NAME',
      direction: 'DESC',
    });
    expect(toggleSort(DEFAULT_SORT, 'USAGE_BYTES')).toEqual({ field: 'USAGE_BYTES', direction: 'ASC' });
    expect(toggleSort({ field: 'NAME', direction: 'ASC' }, 'CREATED_AT')).toEqual(DEFAULT_SORT);
  });
});

describe('hasFilters', () => {
  it('ignores sort and paging', () => {
    expect(hasFilters(parseListParams(q('sort=name&after=x')))).toBe(false);
    expect(hasFilters(parseListParams(q('q=x')))).toBe(true);
    expect(hasFilters(parseListParams(q('expiring=1')))).toBe(true);
  });
});

describe('toQueryVariables', () => {
  const now = new Date('2026-11-26T00:00:00.000Z');
  const base: StoreListParams = parseListParams(q(''));

  it('pages forward by default', () => {
    expect(toQueryVariables(base, now)).toEqual({ filter: {}, orderBy: DEFAULT_SORT, first: 20 });
    expect(toQueryVariables({ ...base, after: 'c' }, now, 5)).toMatchObject({ first: 5, after: 'c' });
  });

  it('pages backward with last/before', () => {
    const variables = toQueryVariables({ ...base, before: 'c' }, now);
    expect(variables).toMatchObject({ last: 20, before: 'c' });
    expect(variables.first).toBeUndefined();
  });

  it('turns "expiring within N days" into expiresBefore', () => {
    const variables = toQueryVariables(parseListParams(q('expiring=3&source=cache&q=inv')), now);
    expect(variables.filter).toEqual({
      source: 'CACHE',
      search: 'inv',
      expiresBefore: '2026-11-29T00:00:00.000Z',
    });
  });
});

describe('quick filter counts', () => {
  it('keeps the other filters and varies the source, or adds "expiring soon"', async () => {
    const { countFilters } = await import('./filters.ts');
    const now = new Date('2026-01-01T00:00:00Z');
    const params = parseListParams(new URLSearchParams('source=cache&status=completed&q=kb'));
    const filters = countFilters(params, now);
    expect(filters.all).toEqual({ status: 'COMPLETED', search: 'kb' });
    expect(filters.cache).toEqual({ status: 'COMPLETED', search: 'kb', source: 'CACHE' });
    expect(filters.primary).toEqual({ status: 'COMPLETED', search: 'kb', source: 'PRIMARY' });
    expect(filters.expiringSoon).toEqual({
      source: 'CACHE',
      status: 'COMPLETED',
      search: 'kb',
      expiresBefore: '2026-01-04T00:00:00.000Z',
    });
  });
});
