import { GraphQLError, registerServiceErrorCodes } from 'core-service';

/** Every code notification-service answers with (listed by `errorCodes`). */
export const NOTIFICATION_ERRORS = {
  InvalidEmail: 'MSNotificationInvalidEmail',
  InvalidPhone: 'MSNotificationInvalidPhone',
  InvalidLocale: 'MSNotificationInvalidLocale',
  UnknownType: 'MSNotificationUnknownType',
  InvalidChannel: 'MSNotificationInvalidChannel',
  InvalidTemplate: 'MSNotificationInvalidTemplate',
  TemplateMissingVariable: 'MSNotificationTemplateMissingVariable',
  RecipientNotFound: 'MSNotificationRecipientNotFound',
  TooManyIds: 'MSNotificationTooManyIds',
} as const;

registerServiceErrorCodes(NOTIFICATION_ERRORS);

export type NotificationErrorCode = (typeof NOTIFICATION_ERRORS)[keyof typeof NOTIFICATION_ERRORS];

/** A refusal of bad input: thrown before anything is written. */
export class NotificationError extends GraphQLError {
  override readonly code: NotificationErrorCode;

  constructor(code: NotificationErrorCode, message: string, details: Record<string, unknown> = {}) {
    super(code, details, { message });
    this.name = 'NotificationError';
    this.code = code;
  }
}
