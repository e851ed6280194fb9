import { DateTime } from 'luxon';
import { z } from 'zod';
import { defineKind, mustExist, type ConfigDoc } from '../config/index.js';
import type { LoadedConfig } from '../config/loadedConfig.js';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const zone = z.string().refine((z) => DateTime.local().setZone(z).isValid, 'must be an IANA time zone such as Europe/Berlin or UTC');
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, e.g. "09:00"');
/** A local date-time in the schedule's zone, without offset: "2026-11-02T09:00:00". */
const localDateTime = z.string().refine((s) => DateTime.fromISO(s, { zone: 'UTC' }).isValid && !/[zZ]|[+-]\d\d:?\d\d$/.test(s), 'a local date and time such as "2026-11-02T09:00:00" (no offset: the schedule\'s timeZone applies)');

/**
 * `every`: `hourly`, `daily`, `weekly`, or a length: `2w`, `3d` (calendar
 * weeks and days in the schedule's zone, so a hand-off stays at 09:00 local
 * across daylight-saving changes) or `12h`, `30m` (exact lengths).
 * `handoff`: "Mon 09:00" for weekly rotations, "09:00" for daily ones.
 */
const rotationSchema = z
  .object({
    every: z.string().regex(/^(hourly|daily|weekly|\d+[wdhm])$/, 'hourly, daily, weekly, or a length such as 2w, 3d, 12h'),
    handoff: z
      .string()
      .regex(/^((Mon|Tue|Wed|Thu|Fri|Sat|Sun) )?([01]\d|2[0-3]):[0-5]\d$/, 'a hand-off such as "Mon 09:00" or "09:00"')
      .optional(),
  })
  .strict();

const restrictionSchema = z
  .object({ days: z.array(z.enum(WEEKDAYS)).min(1).optional(), from: clock, to: clock })
  .strict()
  .refine((r) => r.from !== r.to, 'from and to must differ (a window that wraps midnight is fine: from 22:00 to 06:00)');

const layerSchema = z
  .object({
    name: z.string().min(1),
    rotation: rotationSchema,
    start: localDateTime,
    participants: z.array(z.string().min(1)).min(1, 'a layer needs at least one participant'),
    /** the layer only applies inside these windows (e.g. weekdays 09:00-17:00) */
    restrictions: z.array(restrictionSchema).optional(),
  })
  .strict();

const spanSchema = { from: localDateTime, to: localDateTime };
const overrideSchema = z
  .object({ ...spanSchema, user: z.string().min(1).optional(), replaces: z.string().min(1).optional(), remove: z.string().min(1).optional() })
  .strict()
  .refine((o) => (o.user !== undefined) !== (o.remove !== undefined), 'give user (to add someone, or with replaces to swap) or remove');

const shadowSchema = z
  .object({ ...spanSchema, user: z.string().min(1), follows: z.object({ user: z.string().min(1).optional(), layer: z.string().min(1).optional() }).strict() })
  .strict()
  .refine((s) => (s.follows.user !== undefined) !== (s.follows.layer !== undefined), 'follows: give user or layer');

export const scheduleSpecSchema = z
  .object({
    team: z.string().min(1),
    timeZone: zone,
    description: z.string().optional(),
    layers: z.array(layerSchema).min(1, 'a schedule needs at least one layer'),
    overrides: z.array(overrideSchema).default([]),
    shadows: z.array(shadowSchema).default([]),
  })
  .strict();

export type ScheduleSpec = z.output<typeof scheduleSpecSchema>;
export type ScheduleLayer = ScheduleSpec['layers'][number];
export type ScheduleOverride = ScheduleSpec['overrides'][number];
export type ScheduleDoc = ConfigDoc<ScheduleSpec>;

function userRefs(doc: ScheduleDoc, config: LoadedConfig) {
  const s = doc.spec;
  const problems = [...mustExist(config, 'Team', s.team, ['spec', 'team'])];
  s.layers.forEach((l, i) => l.participants.forEach((u, j) => problems.push(...mustExist(config, 'User', u, ['spec', 'layers', i, 'participants', j]))));
  s.overrides.forEach((o, i) => {
    for (const key of ['user', 'replaces', 'remove'] as const) problems.push(...mustExist(config, 'User', o[key], ['spec', 'overrides', i, key]));
  });
  s.shadows.forEach((sh, i) => {
    problems.push(...mustExist(config, 'User', sh.user, ['spec', 'shadows', i, 'user']));
    problems.push(...mustExist(config, 'User', sh.follows.user, ['spec', 'shadows', i, 'follows', 'user']));
    if (sh.follows.layer && !s.layers.some((l) => l.name === sh.follows.layer)) {
      problems.push({ path: ['spec', 'shadows', i, 'follows', 'layer'], message: `layer "${sh.follows.layer}" is not in this schedule (layers: ${s.layers.map((l) => l.name).join(', ')})` });
    }
  });
  return problems;
}

export const scheduleKind = defineKind({ kind: 'Schedule', spec: scheduleSpecSchema, references: userRefs });
