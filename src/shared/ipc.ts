// Typed message descriptors for the webviews (review panel, run view): each message type is
// declared once with its direction and a zod schema of its params, and every received message is
// validated against the descriptors of its direction before anyone acts on it.
import { z } from 'zod';

export type Direction = 'toHost' | 'toWebview';

export interface IpcMessage<M extends string = string, P = unknown> {
  readonly method: M;
  readonly params: P;
}

/** A message type: its method name, direction, params schema, and a guard for parsed messages. */
export class IpcDescriptor<M extends string, D extends Direction, S extends z.ZodTypeAny> {
  constructor(
    readonly method: M,
    readonly direction: D,
    readonly params: S,
  ) {}

  get envelope() {
    return z.object({ method: z.literal(this.method), params: this.params }).strict();
  }

  /** Builds the message (typed); the receiving side validates it again. */
  make(params: z.input<S>): IpcMessage<M, z.output<S>> {
    return { method: this.method, params: params as z.output<S> };
  }

  is(msg: IpcMessage): msg is IpcMessage<M, z.output<S>> {
    return msg.method === this.method;
  }
}

/** The message type a descriptor stands for. */
export type Envelope<T> = T extends IpcDescriptor<infer M, Direction, infer S> ? IpcMessage<M, z.output<S>> : never;

export type ParseResult<T> = { ok: true; message: T } | { ok: false; reason: string };

/** A validator for the messages of one direction: unknown methods and bad params are refused with a reason. */
export function messageParser<T>(descriptors: readonly IpcDescriptor<string, Direction, z.ZodTypeAny>[]) {
  const byMethod = new Map(descriptors.map((d) => [d.method, d.envelope] as const));
  return (raw: unknown): ParseResult<T> => {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reason: 'message is not an object' };
    const method = (raw as { method?: unknown }).method;
    if (typeof method !== 'string') return { ok: false, reason: 'message has no method' };
    const schema = byMethod.get(method);
    if (!schema) return { ok: false, reason: `unknown method ${JSON.stringify(method.slice(0, 100))}` };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ok: false, reason: `malformed ${method}: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}` };
    }
    return { ok: true, message: parsed.data as T };
  };
}
