// Crash-safe file primitives for the dataset store.
//
// - writeFileAtomic: temp file in the same directory → fsync → rename over the target → fsync the
//   directory. A reader (or a crash) sees either the old bytes or the new bytes, never a mix.
// - appendDurable: O_APPEND + fsync. If a previous writer died mid-line the file does not end in
//   "\n"; we start with one so the torn tail stays its own (broken, preserved) line and never
//   swallows the record we are appending.
// - withFileLock: an advisory `<file>.lock` (O_EXCL, holds the owner's pid) so two Distillery
//   processes (the panel saving, the generator appending) never interleave a rewrite with an
//   append. A lock whose pid is gone is stale and taken over.
// - writeFileAtomicAsync / appendDurableAsync: the same steps in the same order through
//   fs.promises FileHandles (write, sync, close, rename, directory sync), so a big rewrite or a
//   slow fsync runs on the thread pool and never blocks the event loop. The store uses these.
import { closeSync, fstatSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync, constants, readdirSync, readSync } from 'node:fs';
import { open, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { isProcessAlive } from '../system/process';

export interface DiskState {
  size: number;
  mtimeMs: number;
  ino: number;
}

export function diskState(path: string): DiskState | null {
  try {
    const s = statSync(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export function sameDiskState(a: DiskState | null, b: DiskState | null): boolean {
  if (a === null || b === null) return a === b;
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

function tempName(path: string, suffix = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${randomBytes(3).toString('hex')}.${suffix}`);
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code;

/**
 * Puts `tmp` at `path` only if `path` is still the file `expected` describes (null: no file);
 * false, with nothing replaced, when another program wrote it meanwhile. POSIX has no
 * compare-and-rename, so: move the current file aside (atomic: whatever is there now, an
 * editor's rename included), compare it, then link ours in with link(), which never replaces a
 * file that appeared in between. Bytes appended to the old file by a writer that still had it
 * open are appended again to whatever ends up at `path`. A crash between the two steps leaves the
 * old file aside; removeStaleTemps puts it back. Undefined: the file system has no hard links.
 */
function swapIfUnchanged(tmp: string, path: string, expected: DiskState | null): boolean | undefined {
  if (expected === null) {
    try {
      linkSync(tmp, path);
    } catch (e) {
      if (errno(e) === 'EEXIST') return false;
      return undefined;
    }
    unlinkSync(tmp);
    return true;
  }
  drainLingering(path);
  const aside = tempName(path, 'aside');
  try {
    renameSync(path, aside);
  } catch (e) {
    if (errno(e) === 'ENOENT') return false; // deleted meanwhile: merge that
    throw e;
  }
  const fd = openSync(aside, 'r');
  let placed = false;
  let fdKept = false;
  try {
    const s = fstatSync(fd);
    const same = s.ino === expected.ino && s.size === expected.size && s.mtimeMs === expected.mtimeMs;
    try {
      linkSync(same ? tmp : aside, path); // changed: put theirs back, unless something newer is there
      placed = same;
    } catch (e) {
      if (errno(e) !== 'EEXIST') {
        // No hard links on this file system: put the file back; if it was still ours to replace,
        // the caller renames over it as before (a check-then-rename, with its small window).
        renameSync(aside, path);
        return same ? undefined : false;
      }
      // A file appeared at `path` in the instant it was missing. An editor's save holds the whole
      // file; an appender (O_APPEND|O_CREAT, `>>`) created a new one holding only its lines,
      // which must go after the old content, not replace it.
      const oldSize = keepOldUnderFreshFile(path, fd);
      unlinkSync(aside);
      // A writer that had the old file open may still write to it: look again later, as below.
      linger(path, fd, oldSize);
      fdKept = true;
      return false;
    }
    const checked = same ? expected.size : s.size;
    const size = fstatSync(fd).size;
    if (size > checked && (same || placed)) {
      const late = Buffer.alloc(size - checked);
      readSync(fd, late, 0, late.length, checked);
      appendBytesSync(path, late);
    }
    // A writer that opened the old file before the swap may write to it a moment later (it was
    // descheduled between its open and its write): keep the old file open and look again.
    if (placed) {
      linger(path, fd, Math.max(size, checked));
      fdKept = true;
    }
  } finally {
    if (!fdKept) closeSync(fd);
  }
  unlinkSync(aside);
  if (placed) unlinkSync(tmp);
  return placed;
}

const lingering = new Map<string, { fd: number; size: number; timer: NodeJS.Timeout }[]>();
const LINGER_MS = 1000;

function linger(path: string, fd: number, size: number): void {
  let list = lingering.get(path);
  if (!list) lingering.set(path, (list = []));
  const timer = setTimeout(() => void withFileLock(path, () => drainLingering(path)).catch(() => undefined), LINGER_MS);
  timer.unref();
  list.push({ fd, size, timer });
}

/** Appends to `path` what was written to the files a save replaced after the save's last look. */
export function drainLingering(path: string): void {
  const list = lingering.get(path);
  if (!list) return;
  lingering.delete(path);
  for (const l of list) {
    clearTimeout(l.timer);
    try {
      const size = fstatSync(l.fd).size;
      if (size > l.size) {
        const late = Buffer.alloc(size - l.size);
        readSync(l.fd, late, 0, late.length, l.size);
        appendBytesSync(path, late);
      }
    } catch {
      // the file is gone or unwritable: nothing to put back
    } finally {
      closeSync(l.fd);
    }
  }
}

/** See swapIfUnchanged: if the file now at `path` does not hold the old file's first line, it was
 * created by an appender in the gap; the old bytes (`oldFd`) are put back in front of it. Returns
 * how many old bytes were read (later writes to the old file are looked for after them). */
function keepOldUnderFreshFile(path: string, oldFd: number): number {
  const old = readAll(oldFd);
  if (old.length === 0) return 0;
  let freshFd: number;
  try {
    freshFd = openSync(path, 'r');
  } catch {
    return old.length;
  }
  let fdKept = false;
  try {
    // Read through a handle we keep: the appender may have created the file and not yet written
    // its line (an empty read), and that line then lands in this inode after we replaced it.
    const fresh = readAll(freshFd);
    const nl = old.indexOf(0x0a);
    const firstLine = old.subarray(0, nl === -1 ? old.length : nl);
    // A whole-file save supersedes the old bytes: it holds the old first line, or (that line was
    // edited since the editor read it) at least about as many bytes. An appender's file is small.
    if (fresh.length > 0 && (fresh.includes(firstLine) || fresh.length >= old.length / 2)) return old.length;
    const sep = old[old.length - 1] === 0x0a ? Buffer.alloc(0) : Buffer.from('\n');
    const tmp = tempName(path);
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    try {
      writeAll(fd, Buffer.concat([old, sep, fresh]));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
    // What the appender writes to its file from now on is appended again, as after a swap.
    linger(path, freshFd, fresh.length);
    fdKept = true;
    return old.length;
  } finally {
    if (!fdKept) closeSync(freshFd);
  }
}

function readAll(fd: number): Buffer {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(size);
  let read = 0;
  while (read < size) {
    const n = readSync(fd, buf, read, size - read, read);
    if (n === 0) break;
    read += n;
  }
  return buf.subarray(0, read);
}

function appendBytesSync(path: string, bytes: Buffer): void {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND);
  try {
    writeAll(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function writeAll(fd: number, data: Buffer): void {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, data.length - off);
}

/** Replaces `path` with `data` atomically and durably; keeps the old file's permission bits. */
export function writeFileAtomic(path: string, data: string | Buffer): DiskState {
  const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let mode = 0o644;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    // new file
  }
  const tmp = tempName(path);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let written: DiskState;
  try {
    writeAll(fd, buf);
    fsyncSync(fd);
    const s = fstatSync(fd); // see writeFileAtomicAsync: never a stat of the path after the rename
    written = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (e) {
    closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
  return written;
}

/**
 * Appends `text` (whole lines, ending in "\n") durably. Returns the file's state after the
 * append and the "\n" it put first when the file ended in a torn line ('' otherwise).
 */
export function appendDurable(path: string, text: string): { state: DiskState; prefix: string } {
  const fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  try {
    const size = fstatSync(fd).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      const rfd = openSync(path, 'r');
      try {
        readSync(rfd, last, 0, 1, size - 1);
      } finally {
        closeSync(rfd);
      }
      if (last[0] !== 0x0a) prefix = '\n';
    }
    writeAll(fd, Buffer.from(prefix + text, 'utf8'));
    fsyncSync(fd);
    const s = fstatSync(fd);
    if (size === 0) fsyncDir(dirname(path));
    return { state: { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino }, prefix };
  } finally {
    closeSync(fd);
  }
}

// ─── asynchronous variants (the store uses these: the event loop keeps turning during the disk work) ───

export async function diskStateAsync(path: string): Promise<DiskState | null> {
  try {
    const s = await stat(path);
    return { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

async function fsyncDirAsync(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
  } finally {
    await h?.close().catch(() => undefined);
  }
}

async function writeAllAsync(h: FileHandle, data: Buffer): Promise<void> {
  let off = 0;
  while (off < data.length) off += (await h.write(data, off, data.length - off)).bytesWritten;
}

/**
 * writeFileAtomic on the thread pool: temp file → write → fsync → close → rename → fsync the
 * directory, each step awaited in that order, so the guarantees are the same.
 *
 * `unchanged`, when given: the file is replaced only if it is still `expected` (and `check`,
 * which may compare content, agrees); otherwise the temp file is removed, nothing is replaced,
 * and the result is null (see swapIfUnchanged: no window in which another program's write is lost).
 */
export async function writeFileAtomicAsync(path: string, data: string | Buffer | AsyncIterable<Buffer>): Promise<DiskState>;
export async function writeFileAtomicAsync(path: string, data: string | Buffer | AsyncIterable<Buffer>, unchanged: IfUnchanged): Promise<DiskState | null>;
export async function writeFileAtomicAsync(path: string, data: string | Buffer | AsyncIterable<Buffer>, unchanged?: IfUnchanged): Promise<DiskState | null> {
  let mode = 0o644;
  try {
    mode = (await stat(path)).mode & 0o777;
  } catch {
    // new file
  }
  const tmp = tempName(path);
  const h = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  let written: DiskState;
  try {
    // Chunks (a big rewrite is encoded piece by piece, so no one step holds the event loop long).
    if (typeof data === 'string') await writeAllAsync(h, Buffer.from(data, 'utf8'));
    else if (Buffer.isBuffer(data)) await writeAllAsync(h, data);
    else for await (const chunk of data) await writeAllAsync(h, chunk);
    await h.sync();
    // The state of what we wrote, taken from our own handle: a stat of the path after the rename
    // could already see another program's file renamed over ours, which we would then never read.
    const s = await h.stat();
    written = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino };
  } catch (e) {
    await h.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await h.close();
  try {
    if (unchanged) {
      const swapped = (await unchanged.check()) ? swapIfUnchanged(tmp, path, unchanged.expected) : false;
      if (swapped === false) {
        await unlink(tmp).catch(() => undefined);
        return null;
      }
      if (swapped === undefined) renameSync(tmp, path); // no hard links here: checked just before
    } else await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => undefined);
    throw e;
  }
  await fsyncDirAsync(dirname(path));
  return written;
}

/** What writeFileAtomicAsync replaces only if it is still there. */
export interface IfUnchanged {
  expected: DiskState | null;
  /** Asked first (e.g. a content comparison when a write may share the mtime tick). */
  check: () => Promise<boolean>;
}

/** appendDurable on the thread pool (O_APPEND + fsync; "\n" first after a torn line). */
export async function appendDurableAsync(path: string, text: string, encoding: BufferEncoding = 'utf8'): Promise<{ state: DiskState; prefix: string }> {
  const h = await open(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT, 0o644);
  try {
    const size = (await h.stat()).size;
    let prefix = '';
    if (size > 0) {
      const last = Buffer.alloc(1);
      const r = await open(path, 'r');
      try {
        await r.read(last, 0, 1, size - 1);
      } finally {
        await r.close();
      }
      if (last[0] !== 0x0a) prefix = '\n';
    }
    await writeAllAsync(h, Buffer.from(prefix + text, encoding));
    await h.sync();
    const s = await h.stat();
    if (size === 0) await fsyncDirAsync(dirname(path));
    return { state: { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino }, prefix };
  } finally {
    await h.close();
  }
}

/**
 * Removes temp files a crashed writer of `path` left behind (never the file itself). A file a
 * crashed save had moved aside goes back to `path` when nothing took its place.
 */
export function removeStaleTemps(path: string): void {
  const prefix = `.${basename(path)}.`;
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    const aside = name.endsWith('.aside');
    if (!name.startsWith(prefix) || !(name.endsWith('.tmp') || aside)) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid)) continue;
    if (pid === process.pid) continue;
    const file = join(dirname(path), name);
    try {
      if (aside) {
        try {
          linkSync(file, path);
        } catch {
          // something newer is at `path`: the aside copy is the older version
        }
      }
      unlinkSync(file);
    } catch {
      // raced with another cleaner
    }
  }
}

// Callers in this process queue here first, so the file lock only arbitrates between processes.
const queues = new Map<string, Promise<unknown>>();

/**
 * When a process started, in clock ticks since boot (field 22 of /proc/<pid>/stat); undefined
 * where there is no /proc or the process is gone. A pid plus its start time names one process:
 * a pid alone may since have been given to another.
 */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count after the last ")".
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

let ownStart: string | null | undefined;
/** What the lock file holds: "<pid> <start time>" (or "<pid> -" where there is no /proc). */
function lockOwner(): string {
  if (ownStart === undefined) ownStart = processStartTime(process.pid) ?? null;
  return `${process.pid} ${ownStart ?? '-'}`;
}

/** Whether the process a lock file names is gone: dead, or its pid now belongs to another process. */
function ownerGone(pid: number, start: string | undefined): boolean {
  if (pid === process.pid) return true; // this process's queue guarantees we do not hold it
  if (!isProcessAlive(pid)) return true;
  if (start === undefined || start === '-') return false;
  const now = processStartTime(pid);
  return now !== undefined && now !== start;
}

function tryLock(lockPath: string): boolean {
  try {
    const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o644);
    writeSync(fd, lockOwner());
    closeSync(fd);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  let owner = NaN;
  let start: string | undefined;
  try {
    const [pid, started] = readFileSync(lockPath, 'utf8').trim().split(/\s+/);
    owner = Number(pid);
    start = started;
  } catch {
    return false; // being replaced right now; try again
  }
  // A lock whose owner died (crash, SIGKILL) or whose pid was reused is stale; so is our own pid
  // and a pid-less lock older than a second (its writer died between create and write).
  let stale = Number.isInteger(owner) && owner > 0 ? ownerGone(owner, start) : false;
  if (!stale && !(Number.isInteger(owner) && owner > 0)) {
    try {
      stale = Date.now() - statSync(lockPath).mtimeMs > 1000;
    } catch {
      return false;
    }
  }
  if (stale) {
    try {
      unlinkSync(lockPath);
    } catch {
      // someone else removed it first
    }
  }
  return false;
}

/** The lock stayed held by a live process for the whole wait: a user-fixable condition, no stack trace. */
export class LockTimeoutError extends Error {
  readonly code = 'ELOCKED';
}

/**
 * Runs `fn` while holding `<path>.lock`: callers in this process run one after another, other
 * processes are waited for up to `timeoutMs`. Not re-entrant: `fn` must not take the same lock.
 */
export function withFileLock<T>(path: string, fn: () => T | Promise<T>, timeoutMs = 10_000): Promise<T> {
  const lockPath = `${path}.lock`;
  const previous = queues.get(lockPath) ?? Promise.resolve();
  const next = previous.then(
    () => underLock(path, lockPath, fn, timeoutMs),
    () => underLock(path, lockPath, fn, timeoutMs),
  );
  const settled = next.catch(() => undefined);
  queues.set(lockPath, settled);
  void settled.then(() => {
    if (queues.get(lockPath) === settled) queues.delete(lockPath);
  });
  return next;
}

async function underLock<T>(path: string, lockPath: string, fn: () => T | Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delay = 1;
  while (!tryLock(lockPath)) {
    if (Date.now() > deadline) {
      throw new LockTimeoutError(`${path} is locked by another process (${lockPath}); close the other writer, or delete the lock file if no Distillery process is running`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 50);
  }
  try {
    return await fn();
  } finally {
    try {
      unlinkSync(lockPath);
    } catch {
      // already removed
    }
  }
}
