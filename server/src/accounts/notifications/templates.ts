import Handlebars from 'handlebars';

/**
 * Message templates, English and Russian. Handlebars escapes `{{…}}` in HTML; the text and Telegram
 * versions are compiled with `noEscape` since they are not HTML.
 */
export type TemplateName =
  | 'email_confirmation'
  | 'contact_confirmation'
  | 'password_reset'
  | 'lockout'
  | 'already_registered'
  | 'password_changed'
  | 'payment_succeeded'
  | 'payment_declined'
  | 'payment_refunded'
  | 'merchant_new_payment'
  | 'merchant_refund'
  | 'webhook_failed'
  | 'ticket_reply'
  | 'ticket_merchant_reply'
  | 'staff_invite'
  | 'trial_started'
  | 'trial_expired'
  | 'application_submitted'
  | 'application_changes_requested'
  | 'application_approved'
  | 'application_rejected';

export type Locale = 'en' | 'ru';

interface Source {
  subject: string;
  text: string;
}

const SOURCES: Record<Locale, Record<TemplateName, Source>> = {
  en: {
    email_confirmation: {
      subject: 'Confirm your Payrail account',
      text: 'Confirm your login {{login}} by opening this link within 24 hours:\n{{link}}\n\nIf you did not register, ignore this message.',
    },
    contact_confirmation: {
      subject: 'Confirm your email for Payrail payments',
      text: 'To see the payments made with {{email}} in your Payrail buyer account, open this link within 24 hours:\n{{link}}\n\nIf you did not ask for it, ignore this message.',
    },
    password_reset: {
      subject: 'Reset your Payrail password',
      text: 'To set a new password, open this link within one hour:\n{{link}}\n\nIf you did not ask for it, ignore this message: your password stays as it is.',
    },
    lockout: {
      subject: 'Your Payrail account is temporarily locked',
      text: 'After {{failures}} failed login attempts your account is locked until {{until}} (UTC). If it was not you, reset your password.',
    },
    already_registered: {
      subject: 'Someone tried to register with your login',
      text: 'Someone tried to register a new Payrail account with {{login}}, which already has one. If it was you, log in or reset your password.',
    },
    password_changed: {
      subject: 'Your Payrail password was changed',
      text: 'The password of {{login}} was changed and every session was logged out. If it was not you, reset your password now.',
    },
    payment_succeeded: {
      subject: 'Payment of {{amount}} succeeded',
      text: 'Your payment {{paymentId}} of {{amount}} to {{merchant}} succeeded.',
    },
    payment_declined: {
      subject: 'Payment of {{amount}} was declined',
      text: 'Your payment {{paymentId}} of {{amount}} to {{merchant}} was declined: {{reason}}.',
    },
    payment_refunded: {
      subject: 'Refund of {{amount}}',
      text: '{{merchant}} refunded {{amount}} of your payment {{paymentId}}.',
    },
    merchant_new_payment: {
      subject: 'New payment {{paymentId}}: {{amount}}',
      text: 'A new payment {{paymentId}} of {{amount}} succeeded.',
    },
    merchant_refund: {
      subject: 'Refund {{refundId}}: {{amount}}',
      text: 'A refund {{refundId}} of {{amount}} was made on payment {{paymentId}}.',
    },
    webhook_failed: {
      subject: 'Webhook endpoint failing',
      text: 'Deliveries to your webhook endpoint {{url}} keep failing: {{reason}}.',
    },
    ticket_reply: {
      subject: 'Reply to your ticket {{ticketId}}',
      text: 'Support replied to your ticket {{ticketId}}:\n\n{{body}}',
    },
    ticket_merchant_reply: {
      subject: 'Merchant reply on ticket {{ticketId}}',
      text: '{{merchant}} replied on ticket {{ticketId}} assigned to you:\n\n{{body}}',
    },
    staff_invite: {
      subject: 'You are invited to {{merchant}} on Payrail',
      text: 'You were added to {{merchant}} as {{role}}. Set your password within 24 hours with this link:\n{{link}}',
    },
    trial_started: {
      subject: 'Your Payrail free trial has started',
      text: 'The free trial of {{merchant}} runs until {{endsAt}} (UTC). Test mode works now; live mode opens once the PSP approves your live-account application:\n{{link}}',
    },
    trial_expired: {
      subject: 'Your Payrail free trial has ended',
      text: 'The free trial of {{merchant}} has ended. Test mode keeps working. To accept real payments, apply for a live account:\n{{link}}',
    },
    application_submitted: {
      subject: 'Live-account application received',
      text: 'We received the live-account application of {{merchant}}. We will tell you when it has been reviewed.',
    },
    application_changes_requested: {
      subject: 'Your live-account application needs changes',
      text: 'The PSP asks for changes to the live-account application of {{merchant}}:\n\n{{comment}}\n\nCorrect it and submit it again:\n{{link}}',
    },
    application_approved: {
      subject: 'Live account approved',
      text: 'The live-account application of {{merchant}} is approved: live mode is open. Connection fee: {{fee}}.',
    },
    application_rejected: {
      subject: 'Live-account application rejected',
      text: 'The live-account application of {{merchant}} was rejected:\n\n{{reason}}\n\nTest mode keeps working.',
    },
  },
  ru: {
    email_confirmation: {
      subject: 'Подтвердите учётную запись Payrail',
      text: 'Подтвердите логин {{login}}, открыв ссылку в течение 24 часов:\n{{link}}\n\nЕсли вы не регистрировались, проигнорируйте это письмо.',
    },
    contact_confirmation: {
      subject: 'Подтвердите email для платежей в Payrail',
      text: 'Чтобы видеть платежи, сделанные с {{email}}, в кабинете покупателя Payrail, откройте ссылку в течение 24 часов:\n{{link}}\n\nЕсли вы этого не запрашивали, проигнорируйте письмо.',
    },
    password_reset: {
      subject: 'Сброс пароля Payrail',
      text: 'Чтобы задать новый пароль, откройте ссылку в течение часа:\n{{link}}\n\nЕсли вы не запрашивали сброс, проигнорируйте письмо: пароль не изменится.',
    },
    lockout: {
      subject: 'Учётная запись Payrail временно заблокирована',
      text: 'После {{failures}} неудачных попыток входа учётная запись заблокирована до {{until}} (UTC). Если это были не вы, сбросьте пароль.',
    },
    already_registered: {
      subject: 'Попытка регистрации с вашим логином',
      text: 'Кто-то пытался зарегистрировать новую учётную запись Payrail с логином {{login}}, который уже занят вами. Если это были вы, войдите или сбросьте пароль.',
    },
    password_changed: {
      subject: 'Пароль Payrail изменён',
      text: 'Пароль учётной записи {{login}} изменён, все сеансы завершены. Если это были не вы, немедленно сбросьте пароль.',
    },
    payment_succeeded: {
      subject: 'Платёж на {{amount}} выполнен',
      text: 'Ваш платёж {{paymentId}} на {{amount}} в пользу {{merchant}} выполнен.',
    },
    payment_declined: {
      subject: 'Платёж на {{amount}} отклонён',
      text: 'Ваш платёж {{paymentId}} на {{amount}} в пользу {{merchant}} отклонён: {{reason}}.',
    },
    payment_refunded: {
      subject: 'Возврат {{amount}}',
      text: '{{merchant}} вернул {{amount}} по вашему платежу {{paymentId}}.',
    },
    merchant_new_payment: {
      subject: 'Новый платёж {{paymentId}}: {{amount}}',
      text: 'Новый платёж {{paymentId}} на {{amount}} выполнен.',
    },
    merchant_refund: {
      subject: 'Возврат {{refundId}}: {{amount}}',
      text: 'Выполнен возврат {{refundId}} на {{amount}} по платежу {{paymentId}}.',
    },
    webhook_failed: {
      subject: 'Ошибки доставки вебхуков',
      text: 'Доставка на ваш адрес вебхуков {{url}} не удаётся: {{reason}}.',
    },
    ticket_reply: {
      subject: 'Ответ по обращению {{ticketId}}',
      text: 'Поддержка ответила на ваше обращение {{ticketId}}:\n\n{{body}}',
    },
    ticket_merchant_reply: {
      subject: 'Ответ мерчанта по обращению {{ticketId}}',
      text: '{{merchant}} ответил по назначенному вам обращению {{ticketId}}:\n\n{{body}}',
    },
    staff_invite: {
      subject: 'Приглашение в {{merchant}} на Payrail',
      text: 'Вас добавили в {{merchant}} с ролью {{role}}. Задайте пароль в течение 24 часов по ссылке:\n{{link}}',
    },
    trial_started: {
      subject: 'Бесплатный пробный период Payrail начался',
      text: 'Пробный период {{merchant}} продлится до {{endsAt}} (UTC). Тестовый режим уже работает; боевой откроется, когда PSP одобрит заявку на боевой аккаунт:\n{{link}}',
    },
    trial_expired: {
      subject: 'Пробный период Payrail закончился',
      text: 'Пробный период {{merchant}} закончился. Тестовый режим продолжает работать. Чтобы принимать настоящие платежи, подайте заявку на боевой аккаунт:\n{{link}}',
    },
    application_submitted: {
      subject: 'Заявка на боевой аккаунт получена',
      text: 'Мы получили заявку {{merchant}} на боевой аккаунт и сообщим, когда она будет рассмотрена.',
    },
    application_changes_requested: {
      subject: 'Заявку на боевой аккаунт нужно исправить',
      text: 'PSP просит исправить заявку {{merchant}} на боевой аккаунт:\n\n{{comment}}\n\nИсправьте её и отправьте снова:\n{{link}}',
    },
    application_approved: {
      subject: 'Боевой аккаунт одобрен',
      text: 'Заявка {{merchant}} на боевой аккаунт одобрена: боевой режим открыт. Плата за подключение: {{fee}}.',
    },
    application_rejected: {
      subject: 'Заявка на боевой аккаунт отклонена',
      text: 'Заявка {{merchant}} на боевой аккаунт отклонена:\n\n{{reason}}\n\nТестовый режим продолжает работать.',
    },
  },
};

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

type Compiled = {
  subject: HandlebarsTemplateDelegate;
  text: HandlebarsTemplateDelegate;
  html: HandlebarsTemplateDelegate;
};
const cache = new Map<string, Compiled>();

function compiled(locale: Locale, name: TemplateName): Compiled {
  const key = `${locale}:${name}`;
  let entry = cache.get(key);
  if (!entry) {
    const source = SOURCES[locale][name];
    // HTML: the same text, escaped by Handlebars, line breaks as <br>.
    const html = `<p>${source.text.replace(/\n/g, '<br>')}</p>`;
    entry = {
      subject: Handlebars.compile(source.subject, { noEscape: true, strict: true }),
      text: Handlebars.compile(source.text, { noEscape: true, strict: true }),
      html: Handlebars.compile(html, { strict: true }),
    };
    cache.set(key, entry);
  }
  return entry;
}

export const isLocale = (value: string): value is Locale => value === 'en' || value === 'ru';

/** Renders a message; an unknown locale falls back to English, a missing variable throws. */
export function render(
  name: TemplateName,
  locale: string,
  vars: Record<string, string | number>,
): RenderedMessage {
  const t = compiled(isLocale(locale) ? locale : 'en', name);
  return { subject: t.subject(vars), text: t.text(vars), html: t.html(vars) };
}
