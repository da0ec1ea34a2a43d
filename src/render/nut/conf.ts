// The one emitter of NUT's configuration files (ups.conf, upsd.conf, upsd.users, upsmon.conf,
// upssched.conf). NUT's parser splits a line into words at blanks, reads "quoted" words with \" and \\
// escapes, treats # as a comment and [name] as a section. Every value Drover writes is a name, an
// address, a path or a generated hex password; this refuses anything else instead of escaping it, so
// no value can become a second directive, a section or a comment.
const WORD = /^[A-Za-z0-9_.:@/+=*-]+$/;

/** One word of a NUT directive: refused (an internal error: lab.yaml validation comes first) unless plain. */
export function nutWord(value: string): string {
  if (!WORD.test(value)) throw new Error(`internal: ${JSON.stringify(value)} cannot be written into a NUT configuration file`);
  return value;
}

/** A directive line: the keyword and its words. */
export const directive = (keyword: string, ...words: (string | number)[]): string => [nutWord(keyword), ...words.map((w) => nutWord(String(w)))].join(" ");

/** A quoted word (SHUTDOWNCMD's command line): plain words and blanks only. */
export function quoted(command: string): string {
  if (!command.split(" ").every((w) => WORD.test(w))) throw new Error(`internal: ${JSON.stringify(command)} cannot be quoted for NUT`);
  return `"${command}"`;
}

/** A section with its settings (ups.conf, upsd.users). */
export function section(name: string, settings: readonly [string, string][]): string {
  return [`[${nutWord(name)}]`, ...settings.map(([k, v]) => `\t${nutWord(k)} = ${nutWord(v)}`)].join("\n");
}

/** A whole file: a comment header (each line starts with #) and the lines. */
export function nutFile(header: readonly string[], lines: readonly string[]): string {
  for (const h of header) if (/[\r\n\u2028\u2029\u0085]/.test(h)) throw new Error("internal: a line break in a NUT comment");
  return [...header.map((h) => `# ${h}`), ...lines, ""].join("\n");
}
