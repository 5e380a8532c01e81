import type { FastifyPluginAsync } from 'fastify';
import { accountOf } from '../../accounts/account-request';
import { pspPermissionsOf } from '../../accounts/roles';

/** `GET /v1/backoffice/whoami`: the staff member and what their role allows (the UI shows menus by it). */
export const whoamiRoutes: FastifyPluginAsync = async (app) => {
  app.get('/whoami', async (request) => {
    const { user } = accountOf(request);
    return { id: user.id, login: user.login, role: user.role, permissions: pspPermissionsOf(user) };
  });
};
