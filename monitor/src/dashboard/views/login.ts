/** Sign in with the monitor's token; it is exchanged for an HttpOnly, SameSite=Strict session cookie. */
import { INCIDENT_LIMITS } from '../../../../protocol/incidents';
import { html, type Html } from '../html';

export function loginView(args: { next: string; error?: string; name?: string }): Html {
  return html`<form class="login" method="post" action="/login">
<h1>Sign in</h1>
<p class="muted">Paste the monitor's token (HANDOFF_MONITOR_TOKEN). It is checked once and exchanged for a session cookie this browser keeps for 12 hours.</p>
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<label for="name">Your name <small class="muted">(optional: shown on the incidents you acknowledge or resolve)</small></label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="${String(INCIDENT_LIMITS.maxActorLength)}"${args.name ? html` value="${args.name}"` : ''}>
<input type="hidden" name="next" value="${args.next}">
${args.error ? html`<p class="error" role="alert">${args.error}</p>` : ''}
<p><button type="submit">Sign in</button></p>
</form>`;
}
