import { Cron } from 'croner';
import { z } from 'zod';
import { defineKind, mustExist, type ConfigDoc } from '../../config/index.js';
import { isTimeZone } from '../../config/kinds.js';

/** Whether croner reads the pattern; the reason when it does not. */
function cronProblem(pattern: string): string | null {
  try {
    new Cron(pattern, { paused: true }).stop();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

export const gameDaySpecSchema = z
  .object({
    /** when it runs: a cron expression (minute hour day-of-month month day-of-week), read in timeZone */
    schedule: z.string({ error: 'is required: a cron expression such as "0 14 * * WED" (Wednesdays at 14:00)' }).superRefine((value, ctx) => {
      const problem = cronProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: `"${value}" is not a cron expression (${problem}); e.g. "0 14 * * WED" for Wednesdays at 14:00` });
    }),
    timeZone: z.string({ error: 'is required: an IANA time zone such as Europe/London or UTC' }).refine(isTimeZone, 'must be an IANA time zone such as Europe/London or UTC'),
    /** Experiment documents, run one after another at each slot */
    experiments: z.array(z.string().min(1, 'must name an Experiment'), { error: 'is required: the names of the Experiment documents to run' }).min(1, 'must list at least one Experiment'),
    description: z.string().optional(),
    enabled: z.boolean().default(true),
  })
  .strict();
export type GameDaySpec = z.output<typeof gameDaySpecSchema>;
export type GameDayDoc = ConfigDoc<GameDaySpec>;

/**
 * A game day: experiments run by the server on a schedule, so "is ad still
 * off the critical path?" is asked every week rather than once.
 *
 *   apiVersion: prodeng/v1
 *   kind: GameDay
 *   metadata: { name: weekly-shop }
 *   spec: { schedule: "0 14 * * WED", timeZone: Europe/London, experiments: [ad-is-not-critical] }
 */
export const gameDayKind = defineKind<GameDaySpec>({
  kind: 'GameDay',
  spec: gameDaySpecSchema,
  references: (doc, config) => doc.spec.experiments.flatMap((name, i) => mustExist(config, 'Experiment', name, ['spec', 'experiments', i])),
});
