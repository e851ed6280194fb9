import { z } from 'zod';
import { defineKind, mustExist, type ConfigDoc } from '../../config/index.js';

const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date such as 2027-03-31').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'must be a real date');
const checkId = z.string().regex(/^[a-z]+\.[a-z0-9-]+$/, 'must name a scorecard check, e.g. upkeep.tls (prodeng scorecard --checks lists them)');

/**
 * A check a service is excused from, with why and until when: an exempt
 * check holds nothing back and counts for nothing, and the exemption
 * lapses on its own.
 *
 *   kind: ScorecardExemption
 *   spec: { service: legacy-billing, check: upkeep.major-versions, reason: "frozen until the rewrite", expires: 2027-03-31 }
 */
export const exemptionSpecSchema = z
  .object({
    service: z.string().min(1, 'must name a Service'),
    check: checkId,
    reason: z.string({ error: 'is required: why the service is excused' }).min(5, 'say why the service is excused'),
    /** the last day it holds (UTC) */
    expires: date,
  })
  .strict();
export type ExemptionSpec = z.output<typeof exemptionSpecSchema>;

export const exemptionKind = defineKind<ExemptionSpec>({
  kind: 'ScorecardExemption',
  spec: exemptionSpecSchema,
  references: (doc, config) => mustExist(config, 'Service', doc.spec.service, ['spec', 'service']),
});

/**
 * A check every service of a team must pass by a date, with a person who
 * owns the push.
 *
 *   kind: ScorecardCampaign
 *   spec: { check: upkeep.tls, team: shop, due: 2027-01-31, owner: ada, description: "TLS 1.2+ everywhere" }
 */
export const campaignSpecSchema = z
  .object({
    check: checkId,
    team: z.string().min(1, 'must name the Team whose services must pass'),
    due: date,
    owner: z.string().min(1, 'must name the User who owns the campaign'),
    description: z.string().optional(),
  })
  .strict();
export type CampaignSpec = z.output<typeof campaignSpecSchema>;

export const campaignKind = defineKind<CampaignSpec>({
  kind: 'ScorecardCampaign',
  spec: campaignSpecSchema,
  references: (doc, config) => [...mustExist(config, 'Team', doc.spec.team, ['spec', 'team']), ...mustExist(config, 'User', doc.spec.owner, ['spec', 'owner'])],
});

export type ExemptionDoc = ConfigDoc<ExemptionSpec>;
export type CampaignDoc = ConfigDoc<CampaignSpec>;

/** The end of an exemption's last day, UTC. */
export function exemptionEnds(spec: ExemptionSpec): number {
  return Date.parse(`${spec.expires}T00:00:00Z`) + 24 * 3600_000;
}
