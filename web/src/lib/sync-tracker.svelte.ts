import { invalidateAll } from '$app/navigation';
import { getBrowserClient, errorMessage } from './graphql/client.ts';
import { START_SYNC_MUTATION, SYNC_PROGRESS_SUBSCRIPTION } from './graphql/documents.ts';
import { mutate } from './graphql/mutate.ts';
import type { SyncProgress } from './graphql/document-types.ts';

/**
 * The sync run the tab is following, shared by the header, the store list and the sync page: one
 * `syncProgress` subscription (Server-Sent Events through the same-origin proxy) per run. When the run
 * ends, every `load` reruns (`invalidateAll`), so lists and the header update without a reload.
 */
class SyncTracker {
  progress = $state<SyncProgress | null>(null);
  starting = $state(false);
  error = $state<string | null>(null);
  private unsubscribe: (() => void) | null = null;
  private followedRunId: string | null = null;

  get active(): boolean {
    return this.progress !== null && !this.progress.final;
  }

  async start(): Promise<void> {
    if (this.starting || this.active) return;
    this.starting = true;
    this.error = null;
    const outcome = await mutate(START_SYNC_MUTATION, {});
    this.starting = false;
    if (outcome.error !== null) {
      this.error = outcome.error;
      return;
    }
    const result = outcome.data.startSync;
    if (result.__typename !== 'SyncRun') {
      this.error = result.message;
      return;
    }
    this.follow(result.id);
  }

  /** Follows a run (started here, or found RUNNING) until its final event. */
  follow(runId: string): void {
    if (this.followedRunId === runId && this.unsubscribe) return;
    this.stop();
    this.followedRunId = runId;
    this.progress = {
      runId,
      sequence: -1,
      phase: 'starting',
      storesDone: 0,
      storesTotal: 0,
      filesDone: 0,
      requests: 0,
      retries: 0,
      throttled: 0,
      concurrencyLimit: null,
      status: 'RUNNING',
      final: false,
      run: null,
    };
    let last: unknown = null;
    const { unsubscribe } = getBrowserClient()
      .subscription(SYNC_PROGRESS_SUBSCRIPTION, { runId })
      .subscribe((result) => {
        // urql re-emits the last result when the stream completes: the same object, nothing new.
        if (result.data && result.data === last) return;
        last = result.data;
        if (result.error) {
          this.error = `Live progress was interrupted: ${errorMessage(result.error)}`;
          void invalidateAll();
          return;
        }
        const event = result.data?.syncProgress;
        if (!event || (this.progress && event.sequence <= this.progress.sequence && !event.final)) return;
        this.progress = event;
        if (event.final) {
          this.unsubscribe = null;
          void invalidateAll();
        }
      });
    this.unsubscribe = unsubscribe;
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  dismiss(): void {
    if (this.active) return;
    this.progress = null;
    this.error = null;
  }
}

export const syncTracker = new SyncTracker();
