import type { CheckMark, ServiceScore } from './CatalogApi';
import { LEVEL_NAMES } from './CatalogApi';

// A symbol and a word for each status: colour helps, but it is never the only sign.
const MARKS: Record<CheckMark, { symbol: string; words: string }> = {
  passed: { symbol: '✓', words: 'passed' },
  failed: { symbol: '✗', words: 'failed' },
  not_measured: { symbol: '?', words: 'not measured' },
  exempt: { symbol: '–', words: 'exempt' },
};

export const markWords = (mark: CheckMark): string => MARKS[mark].words;

/** A check's status as a symbol, a word and a colour. */
export function CheckStatusMark({ mark }: { mark: CheckMark }) {
  return (
    <span className={`check-mark mark-${mark}`} data-mark={mark}>
      <span aria-hidden="true">{MARKS[mark].symbol}</span> {MARKS[mark].words}
    </span>
  );
}

/** The level reached, what the phase expects, and a mark when it is below that. */
export function LevelBadge({ score }: { score: Pick<ServiceScore, 'levelName' | 'expected' | 'behind' | 'phase'> }) {
  return (
    <span className="level" data-level={score.levelName} data-behind={score.behind ? 'true' : 'false'}>
      <span className={`level-name level-${score.levelName}`}>{score.levelName}</span>
      {score.expected ? (
        <small> (expects {LEVEL_NAMES[score.expected]})</small>
      ) : (
        <small> (no phase, nothing expected)</small>
      )}
      {score.behind ? (
        <>
          {' '}
          <span className="badge behind">⚠ behind</span>
        </>
      ) : null}
    </span>
  );
}
