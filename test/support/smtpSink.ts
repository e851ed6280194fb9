import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './peers.js';

export interface SmtpSink {
  url: string;
  messages: ParsedMail[];
  stop(): Promise<void>;
}

/** A real SMTP server on loopback that keeps every message it is given, parsed. */
export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      simpleParser(stream).then(
        (mail) => {
          messages.push(mail);
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `smtp://127.0.0.1:${port}`, messages, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/**
 * An SMTP sink for the tests of one describe block, set as prodeng's mail
 * server (PRODENG_SMTP_URL) while they run; `mailTo('alice')` is what
 * alice@example.com got.
 */
export function smtpSinkForBlock(beforeAll: (fn: () => Promise<void>) => void, afterAll: (fn: () => Promise<void>) => void) {
  let sink: SmtpSink | undefined;
  beforeAll(async () => {
    sink = await startSmtpSink();
    process.env.PRODENG_SMTP_URL = sink.url;
  });
  afterAll(async () => {
    delete process.env.PRODENG_SMTP_URL;
    await sink?.stop();
  });
  return {
    messages: () => sink!.messages,
    mailTo: (name: string) => sink!.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.text === `${name}@example.com`),
  };
}
