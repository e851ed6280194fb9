import { z } from 'zod';
import { defineKind, durationSchema, mustExist, type ConfigDoc } from '../config/index.js';

/** A target of a step: a user, whoever a schedule has on call, or the person after them in the rotation. */
const targetSchema = z
  .object({ user: z.string().min(1).optional(), schedule: z.string().min(1).optional(), next: z.boolean().optional() })
  .strict()
  .refine((t) => (t.user !== undefined) !== (t.schedule !== undefined), 'give user or schedule')
  .refine((t) => !t.next || t.schedule !== undefined, 'next: only with a schedule (the person after the one on call)');

export const escalationPolicySpecSchema = z
  .object({
    description: z.string().optional(),
    steps: z
      .array(
        z
          .object({
            /** how long this step waits for an acknowledgement before the next */
            delay: durationSchema.refine((ms) => ms > 0, 'must be longer than 0s'),
            targets: z.array(targetSchema).min(1, 'a step needs at least one target'),
          })
          .strict(),
      )
      .min(1, 'a policy needs at least one step'),
    /** walk the steps again this many times when nobody acknowledged */
    repeat: z.number().int().min(0).default(0),
  })
  .strict();

export type EscalationPolicySpec = z.output<typeof escalationPolicySpecSchema>;
export type EscalationPolicyDoc = ConfigDoc<EscalationPolicySpec>;

export const escalationPolicyKind = defineKind({
  kind: 'EscalationPolicy',
  spec: escalationPolicySpecSchema,
  references: (doc: EscalationPolicyDoc, config) =>
    doc.spec.steps.flatMap((step, i) =>
      step.targets.flatMap((t, j) => [
        ...mustExist(config, 'User', t.user, ['spec', 'steps', i, 'targets', j, 'user']),
        ...mustExist(config, 'Schedule', t.schedule, ['spec', 'steps', i, 'targets', j, 'schedule']),
      ]),
    ),
});
