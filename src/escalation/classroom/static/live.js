// Ask the service for the live part of the view every second and put it in place (the server renders
// and escapes it). Stops asking while the tab is hidden; says when the service cannot be reached.
(function () {
  const box = document.getElementById("live");
  const status = document.getElementById("updated");
  if (!box) return;
  const xsrf = document.querySelector('meta[name="xsrf"]').content;
  const ms = parseInt(box.dataset.ms || "1000", 10);
  let last = "";
  async function tick() {
    if (document.hidden) return;
    try {
      const r = await fetch(box.dataset.src, {credentials: "same-origin", headers: {"X-XSRFToken": xsrf}});
      if (!r.ok) throw new Error(r.status);
      const html = await r.text();
      if (html !== last) { box.innerHTML = html; last = html; }
      status.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
    } catch (e) {
      status.textContent = "The class service did not answer (" + e.message + "); trying again.";
    }
  }
  tick();
  setInterval(tick, ms);
})();
