/** A one-time message carried to the next page of the tab (e.g. "store deleted" on the list). */
class Flash {
  message = $state<string | null>(null);

  set(message: string): void {
    this.message = message;
  }

  /** Returns the message once. */
  take(): string | null {
    const message = this.message;
    this.message = null;
    return message;
  }
}

export const flash = new Flash();
