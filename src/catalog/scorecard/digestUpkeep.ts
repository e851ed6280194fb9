import type { LoadedConfig } from '../../config/index.js';
import type { DbOrTx } from '../../store/store.js';
import { campaignProgress, upkeepDue } from './campaigns.js';
import { evaluateScorecard } from './scorecard.js';

/** The digest's "upkeep due" for a team: campaigns close to their date or past it, services behind their phase. */
export function upkeepDueSource(db: DbOrTx, config: LoadedConfig) {
  return async (team: string, at: number): Promise<string[]> => {
    const scores = await evaluateScorecard(db, config, at, undefined, { team });
    return upkeepDue(team, campaignProgress(config, scores, at), scores);
  };
}
