import { describe, expect, it } from 'vitest';
import { checkLocally, formField, formState, toInput } from './store-form.ts';

describe('store form', () => {
  it('turns the form into the mutation input', () => {
    const state = formState();
    state.name = '  Notes ';
    state.kind = 'AFTER_INACTIVITY';
    state.days = '14';
    state.metadata = [
      { key: 'team', value: 'ops' },
      { key: '', value: '' },
    ];
    expect(toInput(state)).toEqual({
      name: 'Notes',
      description: null,
      expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 14 },
      metadata: [{ key: 'team', value: 'ops' }],
    });
    state.kind = 'NEVER';
    expect(toInput(state).expirationPolicy).toEqual({ kind: 'NEVER' });
  });

  it('starts from a store', () => {
    const state = formState({
      name: 'A',
      description: null,
      expirationPolicy: { kind: 'AFTER_INACTIVITY', days: 7 },
      metadata: [{ key: 'k', value: 'v' }],
    });
    expect(state).toMatchObject({ name: 'A', description: '', kind: 'AFTER_INACTIVITY', days: '7' });
  });

  it('checks the obvious locally and leaves ranges to the API', () => {
    const state = formState();
    expect(checkLocally(state)).toEqual({ name: 'Give the store a name.' });
    state.name = 'x';
    state.kind = 'AFTER_INACTIVITY';
    state.days = '400';
    expect(checkLocally(state)).toEqual({});
    expect(toInput(state).expirationPolicy).toEqual({ kind: 'AFTER_INACTIVITY', days: 400 });
  });

  it('puts server errors at their field', () => {
    expect(formField('expirationPolicy.days')).toBe('days');
    expect(formField('input.name')).toBe('name');
    expect(formField('metadata.2.key')).toBe('metadata.2.key');
    expect(formField('metadata')).toBe('metadata');
    expect(formField('somethingElse')).toBe('form');
  });
});
