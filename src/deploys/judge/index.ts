/** The canary judge: pure statistics, no store; the deploys stage and the HTTP routes call it. */
export { judgeCanary, type JudgeAnswer } from './judge.js';
export { defaultJudgeConfig, resolveJudgeConfig, type ConfigProblem } from './judgeConfig.js';
export type * from './types.js';
