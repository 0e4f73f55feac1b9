/** @jsxImportSource hono/jsx */
/** Sign in with a token; the page stands alone (no navigation until signed in). */
import { Logo } from "../components/icons.tsx";

/** The head of a page shown outside the layout (no navigation, no scripts). */
function BareHead({ title, version }: { title: string; version: string }) {
  return (
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · spool`}</title>
      <link rel="icon" href={`/assets/favicon.svg?v=${version}`} type="image/svg+xml" />
      <link rel="stylesheet" href={`/assets/style.css?v=${version}`} />
    </head>
  );
}

export function LoginPage({ next, error, version }: { next: string; error: string | null; version: string }) {
  return (
    <html lang="en">
      <BareHead title="Sign in" version={version} />
      <body>
        <main class="login" id="main">
          <div class="panel">
            <h1 class="brand" style="margin-bottom:12px"><Logo /> spool</h1>
            <form method="post" action="/login">
              <input type="hidden" name="next" value={next} />
              <div class="field">
                <label for="token">API token <span class="hint">(any role; a viewer sees without changing anything)</span></label>
                <input id="token" name="token" type="password" autocomplete="current-password" required autofocus
                  aria-invalid={error ? "true" : undefined} aria-describedby={error ? "login-error" : undefined} />
              </div>
              {error && <p id="login-error" class="flash bad" role="alert">{error}</p>}
              <button type="submit" class="primary">Sign in</button>
            </form>
            <p class="hint" style="margin-top:12px">
              Create a token on the server with <code>spool token create --role admin</code>. Signing in opens a session
              of 12 hours; the token itself is not kept in the browser.
            </p>
          </div>
        </main>
      </body>
    </html>
  );
}

export function SignedOutPage({ version, csrf }: { version: string; csrf: string }) {
  return (
    <html lang="en">
      <BareHead title="Sign out" version={version} />
      <body>
        <main class="login" id="main">
          <form class="panel" method="post" action="/logout">
            <input type="hidden" name="_csrf" value={csrf} />
            <h1>Sign out of spool?</h1>
            <button type="submit" class="primary">Sign out</button> <a href="/">Back</a>
          </form>
        </main>
      </body>
    </html>
  );
}
