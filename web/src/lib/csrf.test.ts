import { describe, expect, it } from 'vitest';
import { isForbiddenCrossSite, type RequestFacts } from './csrf.ts';

const form: RequestFacts = {
  method: 'POST',
  contentType: 'application/x-www-form-urlencoded',
  origin: 'http://localhost:3000',
  secFetchSite: 'same-origin',
  host: 'localhost:3000',
};

describe('isForbiddenCrossSite', () => {
  it('lets same-host form posts through over http or https', () => {
    expect(isForbiddenCrossSite(form)).toBe(false);
    expect(isForbiddenCrossSite({ ...form, origin: 'https://localhost:3000' })).toBe(false);
    expect(
      isForbiddenCrossSite({
        ...form,
        origin: 'http://127.0.0.1:41234',
        host: '127.0.0.1:41234',
        secFetchSite: null,
      }),
    ).toBe(false);
  });

  it('refuses form posts from another host or port, or without an origin', () => {
    expect(isForbiddenCrossSite({ ...form, origin: 'http://evil.example', secFetchSite: null })).toBe(true);
    expect(isForbiddenCrossSite({ ...form, origin: 'http://localhost:3001', secFetchSite: null })).toBe(true);
    expect(isForbiddenCrossSite({ ...form, origin: null, secFetchSite: null })).toBe(true);
    expect(isForbiddenCrossSite({ ...form, origin: 'null', secFetchSite: null })).toBe(true);
    expect(
      isForbiddenCrossSite({ ...form, contentType: 'multipart/form-data; boundary=x', origin: null }),
    ).toBe(true);
    expect(isForbiddenCrossSite({ ...form, contentType: null, origin: 'http://evil.example' })).toBe(true);
  });

  it('refuses anything the browser marks cross-site', () => {
    expect(
      isForbiddenCrossSite({ ...form, contentType: 'application/json', secFetchSite: 'cross-site' }),
    ).toBe(true);
  });

  it('ignores safe methods and JSON (which needs a preflight)', () => {
    expect(isForbiddenCrossSite({ ...form, method: 'GET', origin: 'http://evil.example' })).toBe(false);
    expect(
      isForbiddenCrossSite({ ...form, contentType: 'application/json', origin: null, secFetchSite: null }),
    ).toBe(false);
  });
});
