// Every record kind and origin, listed once for menus, legends and tests (the compiler
// checks the lists cover the generated unions).
import type { Origin } from '../bindings/Origin';
import type { Kind } from './records';

const kindSet: Record<Kind, true> = {
  connection_opened: true,
  connection_refused: true,
  connection_closed: true,
  frame_in: true,
  frame_out: true,
  delivery: true,
  subscribed: true,
  subscription_refused: true,
  unsubscribed: true,
  channel_occupied: true,
  channel_vacated: true,
  member_added: true,
  member_removed: true,
  client_event_rejected: true,
  signed_in: true,
  sign_in_refused: true,
  api_request: true,
  webhook_attempt: true,
  webhook_dropped: true,
  config_reloaded: true,
  gap: true,
};

export const KINDS = Object.keys(kindSet) as Kind[];

const originSet: Record<Origin, true> = { client: true, api: true, inject: true, replay: true, config: true, server: true };
export const ORIGINS = Object.keys(originSet) as Origin[];
