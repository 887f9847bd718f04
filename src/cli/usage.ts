// Shared helpers for CLI commands: argument parsing on node:util's parseArgs with errors that
// name the flag and the fix, and the exit codes of the CLI contract.
import { writeSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** 141 is 128 + SIGPIPE: what a Unix tool reports when the reader of its output went away (`| head`). */
export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 3, hostKey: 4, outputClosed: 141 } as const;

/** Whether `e` is a write to a pipe whose reader has closed it. */
export function isClosedOutput(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | undefined)?.code === 'EPIPE';
}

/** A mistake in how the command was called: printed without a stack trace, exit 2. */
export class UsageError extends Error {}

/** A failure the user can fix (missing file, bad data): printed without a stack trace, exit 1 unless given. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.failed) {
    super(message);
  }
}

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError(`distillery ${command}: ${(e as Error).message}. Run \`distillery ${command} --help\` for the flags.`);
  }
}

/** Parses a number flag or throws a UsageError naming it. */
export function numberFlag(name: string, value: string | undefined, opts: { min?: number; integer?: boolean } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || (opts.integer && !Number.isInteger(n)) || (opts.min !== undefined && n < opts.min)) {
    const kind = opts.integer ? 'an integer' : 'a number';
    throw new UsageError(`--${name} must be ${kind}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got "${value}"`);
  }
  return n;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Writes all of `text` to `fd` before returning. A pipe to stdout is non-blocking once Node has
 * set up process.stdout: a write may then take part of the data or fail with EAGAIN while the
 * reader is behind (`… | slow-consumer`), so this writes the rest and waits for the reader.
 */
export function writeAllSync(fd: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < data.length) {
    try {
      offset += writeSync(fd, data, offset, data.length - offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 2); // the reader is behind: give it 2 ms
    }
  }
}
