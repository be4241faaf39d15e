/** The fleet's quota gauge in one line, e.g. "claude 83% (resets 14:05), codex 12%"; empty when nothing was reported. */
export function formatQuotaGauge(quota: Record<string, { status: string; usedPercent?: number; resetAt?: string }>): string {
  return Object.entries(quota)
    .map(([provider, q]) => {
      const used = q.usedPercent === undefined ? q.status : `${Math.round(q.usedPercent)}%${q.status === "ok" ? "" : ` ${q.status}`}`;
      const reset = q.resetAt ? ` (resets ${new Date(q.resetAt).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })})` : "";
      return `${provider} ${used}${reset}`;
    })
    .join(", ");
}
