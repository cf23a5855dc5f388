/** Sign in with the monitor's token; it is exchanged for an HttpOnly, SameSite=Strict session cookie. */
import { html, type Html } from '../html';

export function loginView(args: { next: string; error?: string }): Html {
  return html`<form class="login" method="post" action="/login">
<h1>Sign in</h1>
<p class="muted">Paste the monitor's token (HANDOFF_MONITOR_TOKEN). It is checked once and exchanged for a session cookie this browser keeps for 12 hours.</p>
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${args.next}">
${args.error ? html`<p class="error" role="alert">${args.error}</p>` : ''}
<p><button type="submit">Sign in</button></p>
</form>`;
}
