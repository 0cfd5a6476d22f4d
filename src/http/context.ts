import type { Logger } from 'pino';
import type { Principal } from '../teams/model.ts';

/** Per-request values set by middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    principal: Principal;
    logger: Logger;
  };
}
