/** The page shell: head with the stylesheet and script from /assets, the navigation, who is signed in. */
import { html, type Html } from '../html';

export type Section = 'overview' | 'incidents' | 'queue' | 'map' | 'audit' | 'monday' | 'login';

export interface PageContext {
  /** Signed in (session or bearer): may ack and resolve. */
  canAct: boolean;
  /** The session's CSRF token, for forms that change state. */
  csrf?: string;
  /** Signed in through the session cookie (shows "Sign out"). */
  session: boolean;
}

const NAV: [Section, string, string][] = [
  ['overview', '/', 'Overview'],
  ['incidents', '/incidents', 'Incidents'],
  ['queue', '/queue', 'Queue'],
  ['map', '/map', 'Map'],
  ['audit', '/audit', 'Audit'],
  ['monday', '/monday', 'Monday check'],
];

export function page(title: string, section: Section, ctx: PageContext, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Handoff Guard</title>
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <span class="brand">Handoff Guard</span>
  <nav>${NAV.map(([id, href, label]) => html`<a href="${href}" class="${id === section ? 'here' : ''}">${label}</a>`)}</nav>
  <div class="who">${
    ctx.session
      ? html`<span>signed in</span><form method="post" action="/logout"><input type="hidden" name="csrf" value="${ctx.csrf ?? ''}"><button type="submit">Sign out</button></form>`
      : ctx.canAct
        ? html`<span>token</span>`
        : section === 'login'
          ? ''
          : html`<span>read-only</span><a class="button secondary" href="/login">Sign in</a>`
  }</div>
</header>
<main>
${body}
</main>
</body>
</html>
`;
}
