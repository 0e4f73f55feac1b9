// spool dashboard: live refresh while the tab is visible, the live/paused switch, copy buttons, relative times.
(() => {
  const KEY = "spool.live";
  const POLL_MS = 5000;
  const isLive = () => localStorage.getItem(KEY) !== "off";

  function showSwitch() {
    for (const button of document.querySelectorAll("[data-live-switch]")) {
      button.setAttribute("aria-pressed", String(isLive()));
      button.querySelector(".txt").textContent = isLive() ? "Live" : "Paused";
      button.title = isLive() ? "Updating by itself; click to pause" : "Paused; click to update live again";
    }
  }

  // Live regions re-read their own page and morph in place: scroll, open details, focus and
  // half-typed input survive. A region that is still loading is not asked again.
  let last = 0;
  function refresh() {
    if (!isLive() || document.hidden || !window.htmx) return;
    last = Date.now();
    for (const region of document.querySelectorAll("[data-live]")) {
      if (!region.classList.contains("htmx-request")) htmx.trigger(region, "spool:refresh");
    }
  }
  // The server's event stream says when something changed; at most one refresh every two seconds.
  let pending = null;
  function changed() {
    if (pending) return;
    pending = setTimeout(() => ((pending = null), refresh()), Math.max(0, 2000 - (Date.now() - last)));
  }
  document.addEventListener("changed", changed);
  document.addEventListener("spool:changed", changed);
  setInterval(() => Date.now() - last >= POLL_MS && refresh(), 1000);
  document.addEventListener("visibilitychange", () => !document.hidden && refresh());

  document.addEventListener("click", (event) => {
    const toggle = event.target.closest("[data-live-switch]");
    if (toggle) {
      localStorage.setItem(KEY, isLive() ? "off" : "on");
      showSwitch();
      refresh();
    }
    const copy = event.target.closest("[data-copy]");
    if (copy) {
      const text = copy.closest(".curl").querySelector("pre").textContent;
      const done = () => ((copy.textContent = "Copied"), setTimeout(() => (copy.textContent = "Copy"), 1500));
      if (navigator.clipboard) navigator.clipboard.writeText(text).then(done, () => {});
      else done();
    }
  });

  // "3 min ago", kept current; the exact ISO time is the element's title.
  const units = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
  function relative(ms) {
    const s = Math.round(Math.abs(ms) / 1000);
    if (s < 5) return "just now";
    const [unit, size] = units.find(([, n]) => s >= n);
    const n = Math.floor(s / size);
    return ms < 0 ? `in ${n} ${unit}` : `${n} ${unit} ago`;
  }
  function times() {
    for (const t of document.querySelectorAll("time[data-rel]")) t.textContent = relative(Date.now() - Date.parse(t.dateTime));
  }
  setInterval(times, 10_000);

  document.addEventListener("DOMContentLoaded", () => (showSwitch(), times()));
  document.addEventListener("htmx:after:swap", () => (showSwitch(), times()));
})();
