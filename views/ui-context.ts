/** What every component may need to know about the request it renders for: who, what they may do, when. */
import { createContext, useContext } from "hono/jsx";

export type Permission = "read" | "enqueue" | "work" | "admin";

export type Ui = {
  /** The caller's role, or null in open mode (no tokens: everyone is admin). */
  role: string | null;
  /** Whether the caller may do what a control would do; controls they may not use are not shown. */
  can: (permission: Permission) => boolean;
  /** Sent back with every state-changing request (a form field and an htmx header). */
  csrf: string;
  /** The server's own address as the browser reached it, for copyable curl commands. */
  origin: string;
  /** Path and query of the page, for live refreshes and sign-in redirects. */
  url: string;
  now: number;
  version: string;
  /** Whether sign-in is on (tokens exist), so the header shows a sign-out control. */
  signedIn: boolean;
};

export const UiContext = createContext<Ui>({
  role: null, can: () => false, csrf: "", origin: "", url: "/", now: 0, version: "", signedIn: false,
});

export const useUi = () => useContext(UiContext);
