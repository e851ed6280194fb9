/**
 * What a toxic does to one direction of one connection. A toxic's stage gets
 * the chunks of its stream in order, one at a time, and hands on what it
 * wants the next stage (or the socket) to see. Stages may wait; waits made
 * through `io.sleepUntil` end early when the toxic is removed, and the data
 * in hand is handed on then, as Toxiproxy does (no data is lost on removal).
 */
export interface StageIO {
  /** Hands data on to the next stage; `at` (performance.now ms) is when it left this one. */
  emit(data: Buffer, at?: number): void;
  /** Accounts for bytes this stage swallowed (for back-pressure). */
  drop(bytes: number): void;
  /** Resolves at `t` (performance.now ms), or at once when the toxic is removed. */
  sleepUntil(t: number): Promise<void>;
  now(): number;
  /** True once the toxic has been removed from this connection. */
  readonly detached: boolean;
  /** Closes the connection after the data already handed on (FIN to both ends). */
  closeLink(): void;
  /** Resets both ends of the connection (TCP RST: "connection reset by peer"). */
  resetLink(): void;
  /** Writes to the socket this stream comes from (for `upstream`: the client). */
  answerSource(data: Buffer): void;
  random(): number;
}

export interface ToxicStage {
  onChunk(data: Buffer, at: number, io: StageIO): void | Promise<void>;
  /** The stream's source sent FIN. Resolve true to pass the end on, false to swallow it. */
  onEnd?(io: StageIO): boolean | Promise<boolean>;
  /** Called once when the stage joins a connection. */
  onAttach?(io: StageIO): void;
  /** Called once when the toxic leaves the connection (removed, replaced, or the connection closed). */
  onDetach?(): void;
}

export type StreamDirection = 'upstream' | 'downstream';
