// Content-addressed upload: every file is hashed (SHA-256) here, the host's blob store
// (<base>/.distillery/blobs, its manifest of hashes) is listed once, only missing blobs go over
// SFTP, and the run directory is then assembled on the host with hard links (copies where links
// fail). A second run with the same runner and data uploads nothing but run.json.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';
import type { Host } from './host';
import type { Layout } from './layout';
import { shellQuote } from './shell-quote';

export interface SyncFile {
  /** Absolute path on this machine. */
  local: string;
  /** Destination relative to the target directory on the host, "/"-separated. */
  dest: string;
}

export interface SyncReport {
  files: number;
  uploadedFiles: number;
  uploadedBytes: number;
  reusedFiles: number;
}

export function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}

/** Every file under dir (skipping caches and build leftovers), with dest paths under prefix. */
export async function collectTree(dir: string, prefix: string): Promise<SyncFile[]> {
  const out: SyncFile[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const entry of await readdir(d, { withFileTypes: true })) {
      if (entry.name === '__pycache__' || entry.name.endsWith('.pyc') || entry.name.endsWith('.egg-info') || entry.name.startsWith('.')) continue;
      const p = join(d, entry.name);
      if (entry.isDirectory()) await walk(p);
      else if (entry.isFile()) out.push({ local: p, dest: posix.join(prefix, relative(dir, p).split(sep).join('/')) });
    }
  };
  await walk(dir);
  return out.sort((a, b) => a.dest.localeCompare(b.dest));
}

/** The hashes the host already holds (file names in the blob store); `probe` adds one shell check whose exit code comes back too. */
export async function remoteManifest(host: Host, layout: Layout, probe = 'true'): Promise<{ hashes: Set<string>; probeCode: number }> {
  const script = `mkdir -p ${shellQuote(layout.blobs)} || exit 90\n(${probe}); echo "probe=$?"\nls -1 ${shellQuote(layout.blobs)}`;
  const r = await host.exec(script);
  if (r.code !== 0) throw new Error(`listing the blob store on ${host.label} failed: ${r.stderr.trim()}`);
  const lines = r.stdout.split('\n');
  const probeLine = lines.find((l) => l.startsWith('probe=')) ?? 'probe=0';
  return { hashes: new Set(lines.filter((n) => /^[0-9a-f]{64}$/.test(n))), probeCode: Number(probeLine.slice(6)) };
}

export interface SyncPlan {
  files: SyncFile[];
  hashes: string[];
  report: SyncReport;
}

/**
 * Uploads the blobs of `files` the host lacks. Uploads go to a temporary name and are renamed,
 * so a cut transfer never leaves a blob with the wrong content under a valid hash. Returns the
 * plan; `assembleScript` turns it into shell lines that build the target directory.
 */
export async function uploadMissing(host: Host, layout: Layout, files: SyncFile[], have: Set<string>, onProgress?: (msg: string) => void): Promise<SyncPlan> {
  const hashes = await Promise.all(files.map((f) => hashFile(f.local)));
  const report: SyncReport = { files: files.length, uploadedFiles: 0, uploadedBytes: 0, reusedFiles: 0 };
  const uploaded = new Set<string>();
  for (const [i, f] of files.entries()) {
    const hash = hashes[i]!;
    if (have.has(hash) || uploaded.has(hash)) {
      report.reusedFiles++;
      continue;
    }
    const size = (await stat(f.local)).size;
    const tmp = posix.join(layout.blobs, `.${hash}.${process.pid}.${Date.now()}.part`);
    onProgress?.(`uploading ${f.dest} (${(size / 1e6).toFixed(1)} MB)`);
    await host.upload(f.local, tmp);
    await host.rename(tmp, posix.join(layout.blobs, hash));
    uploaded.add(hash);
    report.uploadedFiles++;
    report.uploadedBytes += size;
  }
  return { files, hashes, report };
}

/** Shell lines that make targetDir hold the plan's files: hard links share the blob's disk space. */
export function assembleScript(layout: Layout, plan: SyncPlan, targetDir: string): string[] {
  const dirs = new Set([targetDir, ...plan.files.map((f) => posix.dirname(posix.join(targetDir, f.dest)))]);
  return [
    `mkdir -p ${[...dirs].map(shellQuote).join(' ')}`,
    ...plan.files.map((f, i) => {
      const blob = shellQuote(posix.join(layout.blobs, plan.hashes[i]!));
      const dest = shellQuote(posix.join(targetDir, f.dest));
      return `ln -f ${blob} ${dest} 2>/dev/null || cp -f ${blob} ${dest}`;
    }),
  ];
}

/** Makes targetDir on the host hold exactly `files` (by content), uploading only missing blobs. */
export async function syncFiles(host: Host, layout: Layout, files: SyncFile[], targetDir: string, onProgress?: (msg: string) => void): Promise<SyncReport> {
  const { hashes } = await remoteManifest(host, layout);
  const plan = await uploadMissing(host, layout, files, hashes, onProgress);
  const r = await host.exec(['set -e', ...assembleScript(layout, plan, targetDir)].join('\n'));
  if (r.code !== 0) throw new Error(`assembling ${targetDir} on ${host.label} failed: ${r.stderr.trim()}`);
  return plan.report;
}
