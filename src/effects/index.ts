// The effects' public surface: what src/main.ts and the pipeline import.
export { createEffects, type Effects } from './create-effects.js';
export { createOutboxDispatcher, type OutboxDispatcher, type OutboxDispatcherOptions } from './outbox-dispatcher.js';
export { createKafkaStatusSink } from './kafka-status-sink.js';
export { createSmtpEmailSink, createFileEmailSink } from './email-sinks.js';
export { createEmailRenderer } from './email-renderer.js';
export { loadTemplates, builtinTemplatesDir, FALLBACK_TEMPLATE } from './template-store.js';
export { messageIdFor } from './message-id.js';
export { DEFAULT_BACKOFF, backoffDelayMs, type BackoffPolicy } from './backoff.js';
export type { StatusSink, EmailSink, OutgoingEmail, EmailPayload, StatusMessage, OutboxKind } from './outbox-types.js';
