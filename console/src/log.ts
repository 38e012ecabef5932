// The bounded, collapsible event log. Each entry shows the direction and type; its JSON (long
// strings such as audio shortened) is rendered only when the entry is opened.

/** Most entries kept in the page; older ones are dropped. */
export const MAX_LOG_ENTRIES = 500;

export class EventLog {
  private count = 0;

  constructor(
    private readonly list: HTMLOListElement,
    private readonly counter: HTMLElement,
    private readonly showDeltas: HTMLInputElement,
  ) {}

  /** Adds an event; `dir` is `in` (server) or `out` (client). */
  add(dir: "in" | "out", event: Record<string, unknown>): void {
    const type = String(event["type"] ?? "?");
    this.count++;
    this.counter.textContent = `(${this.count})`;
    if (type.endsWith(".delta") && !this.showDeltas.checked) return;
    const li = document.createElement("li");
    li.className = type === "error" ? "error" : dir;
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    const time = new Date().toISOString().slice(11, 23);
    summary.textContent = `${time} ${dir === "in" ? "←" : "→"} ${type}${preview(event)}`;
    details.append(summary);
    details.addEventListener(
      "toggle",
      () => {
        if (details.open && details.childElementCount === 1) {
          const pre = document.createElement("pre");
          pre.textContent = JSON.stringify(event, shorten, 2);
          details.append(pre);
        }
      },
      { once: false },
    );
    li.append(details);
    const atBottom = this.list.scrollTop + this.list.clientHeight >= this.list.scrollHeight - 4;
    this.list.append(li);
    while (this.list.childElementCount > MAX_LOG_ENTRIES) this.list.firstElementChild?.remove();
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  clear(): void {
    this.list.replaceChildren();
    this.count = 0;
    this.counter.textContent = "(0)";
  }
}

function shorten(_key: string, value: unknown): unknown {
  if (typeof value === "string" && value.length > 160) {
    return `${value.slice(0, 60)}… (${value.length} chars)`;
  }
  return value;
}

function preview(event: Record<string, unknown>): string {
  const err = event["error"] as { message?: string } | undefined;
  if (err?.message) return `: ${err.message}`;
  for (const key of ["transcript", "delta", "text"]) {
    const v = event[key];
    if (typeof v === "string" && key !== "delta") return `: ${v.slice(0, 80)}`;
    if (typeof v === "string" && !String(event["type"]).startsWith("response.audio.")) {
      return `: ${v.slice(0, 80)}`;
    }
  }
  const resp = event["response"] as { status?: string } | undefined;
  if (resp?.status) return `: ${resp.status}`;
  return "";
}
