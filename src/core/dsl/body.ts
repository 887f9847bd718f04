import type { BodyKeySpec } from './spec-types';
export const BODY_KEY_SPECS: Readonly<Record<string, BodyKeySpec>> = {};
