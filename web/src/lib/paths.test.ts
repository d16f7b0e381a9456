import { describe, expect, it } from 'vitest';
import { safeRedirectTarget, signInHref } from './paths.ts';

describe('safeRedirectTarget', () => {
  it('keeps local paths', () => {
    expect(safeRedirectTarget('/stores/abc?x=1')).toBe('/stores/abc?x=1');
    expect(safeRedirectTarget('/?source=cache')).toBe('/?source=cache');
  });
  it('refuses other sites and loops', () => {
    for (const raw of [
      null,
      '',
      'https://evil.example',
      '//evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '/\t/evil.example',
      ' //evil.example',
      '/.//evil.example',
      'https:evil.example',
      'http://local.vs-align.invalid/x',
      'javascript:x',
      'data:text/html,x',
    ]) {
      expect(safeRedirectTarget(raw)).toBe('/');
    }
    expect(safeRedirectTarget('/sign-in?redirectTo=/')).toBe('/');
    expect(safeRedirectTarget('/sign-out')).toBe('/');
  });
  it('gives back the normalised path', () => {
    expect(safeRedirectTarget('/stores/../orphans?x=1#top')).toBe('/orphans?x=1#top');
    expect(safeRedirectTarget('/sign-in-help')).toBe('/sign-in-help');
  });
});

describe('signInHref', () => {
  it('remembers where to come back to', () => {
    expect(signInHref(new URL('http://localhost:3000/'))).toBe('/sign-in');
    expect(signInHref(new URL('http://localhost:3000/?source=cache'))).toBe(
      '/sign-in?redirectTo=%2F%3Fsource%3Dcache',
    );
  });
});
