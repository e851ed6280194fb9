import { z } from 'zod';
import { durationSchema } from '../config/duration.js';
import { defineAction } from './action.js';

export const waitAction = defineAction({
  name: 'wait',
  description: 'pause between steps (e.g. let a restarted service warm up)',
  risk: 'safe',
  params: z.object({ duration: durationSchema }).strict(),
  run(params, ctx) {
    return new Promise((resolve) => {
      const done = () => resolve({ ok: !ctx.signal.aborted, summary: ctx.signal.aborted ? 'wait cancelled' : `waited ${params.duration} ms`, output: { durationMs: params.duration } });
      const timer = setTimeout(done, params.duration);
      ctx.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        done();
      }, { once: true });
    });
  },
});
