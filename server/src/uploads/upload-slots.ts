/**
 * Concurrent uploads per token in this process: a token over its cap is refused before any byte is
 * written, so one token cannot hold every file descriptor and the whole disk bandwidth.
 */
export class UploadSlots {
  private readonly inUse = new Map<string, number>();

  constructor(readonly perToken: number) {}

  /** Takes a slot for the token; false when it already has `perToken` uploads in progress. */
  take(tokenId: string): boolean {
    const used = this.inUse.get(tokenId) ?? 0;
    if (used >= this.perToken) return false;
    this.inUse.set(tokenId, used + 1);
    return true;
  }

  release(tokenId: string): void {
    const used = (this.inUse.get(tokenId) ?? 1) - 1;
    if (used <= 0) this.inUse.delete(tokenId);
    else this.inUse.set(tokenId, used);
  }
}
