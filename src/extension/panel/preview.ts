// The first screenful of a dataset before the whole file is parsed. Opening 100,000 records takes
// seconds (read + parse + validate every line); the head of the file is enough to paint the list,
// so the panel shows it at once, read-only, and swaps in the full dataset when it is open
// (connection.ts). Pure Node, no `vscode`.
import { open } from 'node:fs/promises';
import { parseEntries } from '../../core/dataset/lines';
import type { DatasetRecord } from '../../core/dataset/record';
import type { PanelEngine } from './engine';
import { PanelModel } from './model';

/** About 1,000 records of a typical dataset: several screens of rows, read and parsed in a few ms. */
const HEAD_BYTES = 512 * 1024;

export interface DatasetHead {
  records: DatasetRecord[];
  /** True when the head is the whole file. */
  whole: boolean;
}

/** Reads and parses the complete lines in the first `maxBytes` of the file. */
export async function readDatasetHead(path: string, maxBytes = HEAD_BYTES): Promise<DatasetHead> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(maxBytes);
    const { bytesRead } = await file.read(buffer, 0, maxBytes, 0);
    const whole = bytesRead < maxBytes;
    let end = bytesRead;
    // A line cut by the byte limit is left for the full parse.
    if (!whole) end = buffer.lastIndexOf(0x0a, bytesRead - 1) + 1;
    const records: DatasetRecord[] = [];
    for (const entry of parseEntries(buffer.toString('utf8', 0, end))) if (entry.kind === 'record') records.push(entry.record);
    return { records, whole };
  } finally {
    await file.close();
  }
}

/** A model over the head's records that nothing can change (the session refuses edits while loading). */
export function previewModel(head: DatasetHead, engine: PanelEngine, path: string): PanelModel {
  const byId = new Map(head.records.map((r, i) => [r.id, i] as const));
  const refuse = () => {
    throw new Error('the dataset is still opening');
  };
  return new PanelModel({
    store: {
      path,
      records: () => head.records,
      get: (id) => {
        const i = byId.get(id);
        return i === undefined ? undefined : head.records[i];
      },
      indexOf: (id) => byId.get(id) ?? -1,
      isConflicted: () => false,
      replaceMany: refuse,
      insert: refuse,
      removeMany: refuse,
      appendMany: refuse,
      save: () => Promise.resolve(),
    },
    engine,
  });
}
