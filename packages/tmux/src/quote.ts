/** Shows an argv the way a POSIX shell user would type it; for display only, never executed. */
export function formatArgv(argv: string[]): string {
  return argv.map((arg) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(" ");
}
