// spool dashboard: live refresh while the tab is visible, the live/paused switch (which also
// says when the server cannot be reached), flash messages, copy buttons, relative times.
(() => {
  const KEY = "spool.live";
  const POLL_MS = 5000;
  const isLive = () => localStorage.getItem(KEY) !== "off";
  /** True while the server cannot be reached: what the page shows may be out of date. */
  let offline = false;

  function showSwitch() {
    for (const button of document.querySelectorAll("[data-live-switch]")) {
      button.setAttribute("aria-pressed", String(isLive()));
      button.classList.toggle("offline", offline);
      button.querySelector(".txt").textContent = offline ? "Offline" : isLive() ? "Live" : "Paused";
      button.title = offline
        ? "spool cannot be reached; trying again. What this page shows may be out of date."
        : isLive() ? "Updating by itself; click to pause" : "Paused; click to update live again";
    }
  }

  function setOffline(value) {
    if (offline === value) return;
    offline = value;
    showSwitch();
    if (!offline) refresh();
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

  // The event stream breaking, or a live region's re-read failing, means the server is out of
  // reach; a new stream, or a re-read answered, means it is back (the page is read again).
  document.addEventListener("htmx:sse:error", () => setOffline(true));
  document.addEventListener("htmx:sse:after:connection", () => setOffline(false));
  document.addEventListener("htmx:after:request", (event) => {
    if (event.target.matches?.("[data-live]")) setOffline(false);
  });
  document.addEventListener("htmx:error", (event) => {
    const source = event.target;
    if (source.matches?.("[data-live]")) return setOffline(true);
    // An action that got no answer: say so, as nothing else on the page would.
    if (source.closest?.("form[hx-post]") && event.detail?.error?.name !== "AbortError") {
      setOffline(true);
      flash(false, "spool did not answer, so this may not have been done. Check once the page shows Live again.");
    }
  });

  // Flash messages: one that says an action worked goes after a few seconds, a refusal stays
  // until closed, and only the newest few are kept.
  const FLASH_MS = 8000;
  const FLASH_MAX = 4;
  function flash(ok, text) {
    const area = document.getElementById("flash");
    if (!area) return;
    const box = document.createElement("div");
    box.className = `flash ${ok ? "ok" : "bad"}`;
    box.setAttribute("role", ok ? "status" : "alert");
    box.dataset.flash = "";
    box.innerHTML = '<div class="flash-text"></div><button type="button" class="flash-close" data-dismiss aria-label="Dismiss" title="Dismiss">×</button>';
    box.firstChild.textContent = text;
    area.append(box);
  }
  function tidyFlashes(area) {
    const shown = [...area.querySelectorAll(":scope > [data-flash]")];
    for (const old of shown.slice(0, Math.max(0, shown.length - FLASH_MAX))) old.remove();
    for (const box of shown.slice(-FLASH_MAX)) {
      if (box.dataset.timed || !box.classList.contains("ok")) continue;
      box.dataset.timed = "1";
      setTimeout(() => box.remove(), FLASH_MS);
    }
  }
  document.addEventListener("click", (event) => event.target.closest("[data-dismiss]")?.closest("[data-flash]")?.remove());

  document.addEventListener("DOMContentLoaded", () => {
    showSwitch();
    times();
    const area = document.getElementById("flash");
    if (area) new MutationObserver(() => tidyFlashes(area)).observe(area, { childList: true });
  });
  document.addEventListener("htmx:after:swap", () => (showSwitch(), times()));
})();
