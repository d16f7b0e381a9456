import { NotFoundError, ReadOnlyMirrorError, ValidationError } from '../services/errors.ts';
import { builder } from './builder.ts';

/** Expected failures, returned as members of `…Result` unions rather than top-level errors. */
const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'An expected failure of a mutation or lookup.',
  fields: (t) => ({ message: t.exposeString('message', { description: 'What went wrong, for people.' }) }),
});

builder.objectType(ReadOnlyMirrorError, {
  name: 'ReadOnlyMirrorError',
  description: 'The store is a read-only mirror of OpenAI (`source = CACHE`); change it in OpenAI and sync.',
  interfaces: [ErrorInterface],
  fields: (t) => ({
    vectorStoreId: t.exposeID('vectorStoreId', {
      description: 'Local id of the mirror that was not changed.',
    }),
  }),
});

builder.objectType(NotFoundError, {
  name: 'NotFoundError',
  description: 'No such object in this account (objects of other accounts are reported the same way).',
  interfaces: [ErrorInterface],
  fields: (t) => ({ id: t.exposeID('id', { description: 'The id that was looked up.' }) }),
});

builder.objectType(ValidationError, {
  name: 'ValidationError',
  description: 'An input value was refused; nothing was written.',
  interfaces: [ErrorInterface],
  fields: (t) => ({ field: t.exposeString('field', { description: 'Path of the offending input field.' }) }),
});

export { ErrorInterface };
