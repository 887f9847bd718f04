// Prices and spending. The default table holds list prices (USD per million tokens) of common
// models; `teacher.prices` in distillery.json overrides or extends it. A model without a price costs
// 0 and the run says so once, which is right for local endpoints (vLLM, Ollama, llama.cpp); a
// budget for such a model is refused (session.ts unpricedBudget): it could never stop the run.
import type { Usage } from './client';

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

export const DEFAULT_PRICES: Readonly<Record<string, Price>> = {
  'gpt-4o-mini': { inputPerMTok: 0.15, outputPerMTok: 0.6 },
  'gpt-4o': { inputPerMTok: 2.5, outputPerMTok: 10 },
  'gpt-4.1': { inputPerMTok: 2, outputPerMTok: 8 },
  'gpt-4.1-mini': { inputPerMTok: 0.4, outputPerMTok: 1.6 },
  'gpt-4.1-nano': { inputPerMTok: 0.1, outputPerMTok: 0.4 },
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gpt-5-nano': { inputPerMTok: 0.05, outputPerMTok: 0.4 },
  'o3': { inputPerMTok: 2, outputPerMTok: 8 },
  'o3-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  'o4-mini': { inputPerMTok: 1.1, outputPerMTok: 4.4 },
};

/** The Batch API bills half the synchronous price. */
export const BATCH_DISCOUNT = 0.5;

export class PriceTable {
  private readonly prices: Record<string, Price>;
  constructor(overrides: Record<string, Price> | undefined = undefined) {
    this.prices = { ...DEFAULT_PRICES, ...overrides };
  }
  /** Exact name first, then the longest known prefix ("gpt-4o-2024-08-06" → "gpt-4o"). */
  lookup(model: string): Price | undefined {
    if (this.prices[model]) return this.prices[model];
    let best: string | undefined;
    for (const name of Object.keys(this.prices)) {
      if (model.startsWith(name) && (!best || name.length > best.length)) best = name;
    }
    return best ? this.prices[best] : undefined;
  }
  cost(model: string, usage: Usage, batch = false): number {
    const p = this.lookup(model);
    if (!p) return 0;
    const usd = (usage.input * p.inputPerMTok + usage.output * p.outputPerMTok) / 1_000_000;
    return roundUsd(batch ? usd * BATCH_DISCOUNT : usd);
  }
}

export function roundUsd(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}

export function formatUsd(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}
