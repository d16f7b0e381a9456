/** Expected failures of the domain. The GraphQL layer exposes each as a typed error in result unions. */

export class NotFoundError extends Error {
  constructor(
    public readonly entity: string,
    public readonly id: string,
  ) {
    super(`${entity} ${id} was not found`);
    this.name = 'NotFoundError';
  }
}

export class ValidationError extends Error {
  constructor(
    /** The offending input field, as the client named it (e.g. `expirationPolicy.days`). */
    public readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ValidationError';
  }
}

export class ReadOnlyMirrorError extends Error {
  constructor(public readonly vectorStoreId: string) {
    super('Cannot update a vector store that is a cache of an external source');
    this.name = 'ReadOnlyMirrorError';
  }
}
