// Facts about local processes that several parts need (the store's lock, the response cache's temp
// files, the local engine's pid file).

/** Whether a process with this pid exists; EPERM means it exists but belongs to another user. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
