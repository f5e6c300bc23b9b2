import { NavLink, Route, Routes } from 'react-router';
import { AuditPage } from './audit-page.js';
import { BonusTemplatesPage } from './bonus-templates-page.js';
import { ConfigPage } from './config-page.js';
import { DepositPage } from './deposit-page.js';
import { HealthPage } from './health-page.js';
import { NotificationTemplatesPage } from './notification-templates-page.js';
import { ReconciliationPage } from './reconciliation-page.js';
import { RolesPage } from './roles-page.js';
import { UserDetailPage, UsersPage } from './users-page.js';
import { WebhooksPage } from './webhooks-page.js';

const SECTIONS = [
  { to: '/admin', label: 'Users', end: true },
  { to: '/admin/deposits', label: 'Deposits' },
  { to: '/admin/roles', label: 'Roles' },
  { to: '/admin/config', label: 'Config' },
  { to: '/admin/audit', label: 'Audit log' },
  { to: '/admin/bonus-templates', label: 'Bonus templates' },
  { to: '/admin/notification-templates', label: 'Notification templates' },
  { to: '/admin/reconciliation', label: 'Reconciliation' },
  { to: '/admin/webhooks', label: 'Webhooks' },
  { to: '/admin/health', label: 'System health' },
];

/** The admin console: shown to console roles; every operation is still authorised by the API. */
export default function AdminConsole() {
  return (
    <div className="admin">
      <nav aria-label="Admin" className="subnav">
        <ul>
          {SECTIONS.map((section) => (
            <li key={section.to}>
              <NavLink to={section.to} end={section.end ?? false}>
                {section.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Routes>
        <Route index element={<UsersPage />} />
        <Route path="users/:id" element={<UserDetailPage />} />
        <Route path="deposits" element={<DepositPage />} />
        <Route path="roles" element={<RolesPage />} />
        <Route path="config" element={<ConfigPage />} />
        <Route path="audit" element={<AuditPage />} />
        <Route path="bonus-templates" element={<BonusTemplatesPage />} />
        <Route path="notification-templates" element={<NotificationTemplatesPage />} />
        <Route path="reconciliation" element={<ReconciliationPage />} />
        <Route path="webhooks" element={<WebhooksPage />} />
        <Route path="health" element={<HealthPage />} />
      </Routes>
    </div>
  );
}
