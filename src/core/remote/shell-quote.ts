// The one quoting function for every string that reaches a remote (or local) POSIX shell:
// paths, run ids, model ids, config values. Wrapping in single quotes makes every byte literal
// except the single quote itself, which is closed, escaped and reopened ('\''). No other function
// in Distillery builds shell text from data; test/remote/shell-quote.test.ts runs hostile strings
// through a real remote shell and compares the echoed argv.

/** Quotes one word for a POSIX shell (sh, bash, dash, zsh). NUL cannot be passed and is refused. */
export function shellQuote(word: string): string {
  if (word.includes('\0')) throw new Error('a shell argument cannot contain a NUL byte');
  // Words made only of characters no shell treats specially are left readable.
  if (word !== '' && /^[A-Za-z0-9_@%+:,./-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Quotes every word of an argv and joins them with spaces: a command line with exactly that argv. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}
