// Sweep planning: the paper's grid (modality × supervision × LoRA rank × learning rate) expanded
// into concrete run configurations, alpha = 4 × rank throughout. Full fine-tuning has no rank, so
// it appears once per supervision and learning rate rather than once per rank.

export interface SweepGrid {
  modalities: ('full' | 'lora' | 'qlora')[];
  supervisions: ('dss' | 'label_only')[];
  ranks: number[];
  learningRates: number[];
}

export interface SweepPoint {
  name: string;
  modality: 'full' | 'lora' | 'qlora';
  supervision: 'dss' | 'label_only';
  rank: number | null;
  alpha: number | null;
  lr: number;
}

export function validateGrid(grid: SweepGrid): string[] {
  const errors: string[] = [];
  if (!grid.modalities.length) errors.push('modalities is empty: pick at least one of full, lora, qlora');
  if (!grid.supervisions.length) errors.push('supervisions is empty: pick dss, label_only or both');
  if (!grid.learningRates.length) errors.push('learningRates is empty: give at least one, e.g. 3e-4');
  if (grid.modalities.some((m) => m !== 'full') && !grid.ranks.length) errors.push('ranks is empty but LoRA/QLoRA are in the grid: give ranks such as 8, 16, 64');
  for (const r of grid.ranks) if (!Number.isInteger(r) || r < 1) errors.push(`rank ${r} must be a positive integer`);
  for (const lr of grid.learningRates) if (!(lr > 0 && lr < 1)) errors.push(`learning rate ${lr} must be between 0 and 1`);
  return errors;
}

/** Expands the grid in a stable order: modality, supervision, rank, learning rate. */
export function expandGrid(grid: SweepGrid): SweepPoint[] {
  const errors = validateGrid(grid);
  if (errors.length) throw new Error(`invalid sweep: ${errors.join('; ')}`);
  const points: SweepPoint[] = [];
  const lrName = (lr: number) => lr.toExponential().replace('+', '').replace('.', 'p');
  for (const modality of grid.modalities) {
    for (const supervision of grid.supervisions) {
      const ranks: (number | null)[] = modality === 'full' ? [null] : grid.ranks;
      for (const rank of ranks) {
        for (const lr of grid.learningRates) {
          const parts = [modality, supervision === 'dss' ? 'dss' : 'label', ...(rank === null ? [] : [`r${rank}`]), `lr${lrName(lr)}`];
          points.push({ name: parts.join('-'), modality, supervision, rank, alpha: rank === null ? null : 4 * rank, lr });
        }
      }
    }
  }
  return points;
}
