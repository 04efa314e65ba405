// The fraud engines a lane can run (engine-choice.ts builds them), named apart from the engines so that the
// configuration (FRAUD_ENGINE) and `replay --engine` parse them without loading one. Pure.
export const ENGINE_KINDS = ['classic', 'fused'] as const;
export type EngineKind = (typeof ENGINE_KINDS)[number];

export function isEngineKind(s: string): s is EngineKind {
  return (ENGINE_KINDS as readonly string[]).includes(s);
}
