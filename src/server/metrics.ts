/**
 * The few figures an operator watches, in the Prometheus text exposition format (0.0.4):
 * requests by route and status, their duration, ledger writes, webhook events, refusals
 * by limit. Hand-written: counters and one histogram are all it needs.
 */
type Labels = Record<string, string>;

function escape(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escape(v)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

class Counter {
  private values = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    // A cheap key per request; the exposition text is built only when scraped.
    const key = Object.values(labels).join("\u0000");
    const v = this.values.get(key);
    if (v) v.value += by;
    else this.values.set(key, { labels, value: by });
  }

  render(): string[] {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`, ...[...this.values.values()].map((v) => `${this.name}${labelText(v.labels)} ${v.value}`)];
  }
}

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

class Histogram {
  private series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  observe(labels: Labels, seconds: number): void {
    const key = Object.values(labels).join("\u0000");
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels, counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    // Counted in the first bucket that holds it; render() accumulates (Prometheus buckets are cumulative).
    let i = 0;
    while (i < BUCKETS.length && seconds > BUCKETS[i]!) i++;
    if (i < BUCKETS.length) s.counts[i]!++;
    s.sum += seconds;
    s.count++;
  }

  render(): string[] {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      let cumulative = 0;
      BUCKETS.forEach((b, i) => {
        cumulative += s.counts[i]!;
        lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: String(b) })} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket${labelText({ ...s.labels, le: "+Inf" })} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(s.labels)} ${s.count}`);
    }
    return lines;
  }
}

export class ServerMetrics {
  readonly requests = new Counter("domaines_http_requests_total", "HTTP requests answered, by method, route and status.");
  readonly duration = new Histogram("domaines_http_request_duration_seconds", "Time to answer HTTP requests, by method and route.");
  readonly writes = new Counter("domaines_ledger_writes_total", "Ledger transactions run by this server, by outcome (written, unchanged, refused).");
  readonly webhooks = new Counter("domaines_webhook_events_total", "Espace Opérateur webhook events, by outcome.");
  readonly limits = new Counter("domaines_limit_refusals_total", "Requests refused by a limit, by limit.");
  private readonly started = Date.now();

  constructor(private readonly gauges: () => Record<string, { help: string; value: number }> = () => ({})) {}

  render(): string {
    const gauges = { domaines_uptime_seconds: { help: "Seconds since the server started.", value: (Date.now() - this.started) / 1000 }, ...this.gauges() };
    const lines = [this.requests, this.duration, this.writes, this.webhooks, this.limits].flatMap((m) => m.render());
    for (const [name, g] of Object.entries(gauges)) lines.push(`# HELP ${name} ${g.help}`, `# TYPE ${name} gauge`, `${name} ${g.value}`);
    return `${lines.join("\n")}\n`;
  }
}
