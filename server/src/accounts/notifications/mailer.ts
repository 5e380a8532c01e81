import type { Logger } from '@payrail/core';
import type { Transporter } from 'nodemailer';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A notification channel that sends email. */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
  close(): Promise<void>;
}

export interface SmtpOptions {
  host: string;
  port: number;
  /** 'tls': TLS from the start (port 465); 'starttls': upgrade required; 'none': plain (local relays, tests). */
  tls: 'tls' | 'starttls' | 'none';
  user?: string;
  password?: string;
  from: string;
}

/** Email over SMTP with nodemailer. */
export function smtpMailer(options: SmtpOptions): Mailer {
  // nodemailer is loaded on the first message, not at start-up: most starts send no mail.
  let transport: Promise<Transporter> | undefined;
  const open = async (): Promise<Transporter> => {
    const { default: nodemailer } = await import('nodemailer');
    return nodemailer.createTransport({
      host: options.host,
      port: options.port,
      secure: options.tls === 'tls',
      requireTLS: options.tls === 'starttls',
      ignoreTLS: options.tls === 'none',
      ...(options.user ? { auth: { user: options.user, pass: options.password ?? '' } } : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  };
  return {
    async send(message) {
      transport ??= open().catch((error: unknown) => {
        transport = undefined; // let the next message try again
        throw error;
      });
      await (await transport).sendMail({ from: options.from, ...message });
    },
    async close() {
      if (transport) (await transport).close();
    },
  };
}

/**
 * Used when no SMTP server is configured: logs that a message was not sent (recipient and subject
 * only — the body holds single-use links).
 */
export function logOnlyMailer(logger: Logger): Mailer {
  return {
    async send(message) {
      logger.warn(
        { to: message.to, subject: message.subject },
        'email not sent: PAYRAIL_SMTP_HOST is not set',
      );
    },
    async close() {},
  };
}
