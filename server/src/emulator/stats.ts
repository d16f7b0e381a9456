/** Per-route request counts for `GET /__emulator/stats`, keyed by route template. */
export interface Stats {
  total: number;
  byRoute: Record<string, number>;
}

export class RequestStats {
  private total = 0;
  private byRoute = new Map<string, number>();

  /** Counts a /v1 request; `routeKey` is null for a path that matches no endpoint. */
  count(routeKey: string | null): void {
    this.total++;
    if (routeKey !== null) this.byRoute.set(routeKey, (this.byRoute.get(routeKey) ?? 0) + 1);
  }

  snapshot(): Stats {
    return { total: this.total, byRoute: Object.fromEntries(this.byRoute) };
  }

  reset(): void {
    this.total = 0;
    this.byRoute = new Map();
  }
}
