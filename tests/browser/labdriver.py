"""Drive JupyterLab and Voila in Chromium: start servers, open notebooks, run them, read and click widgets.

Used by the browser tests (tests/browser/). Everything here works on a temporary copy of the repository,
with temporary Jupyter config, runtime, settings and workspace folders, so nothing touches a user's set-up.
"""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "tests" / "screenshots"
# Debian's Chromium; ESCALATION_CHROMIUM names another Chromium binary (for example /usr/bin/chromium-browser).
CHROMIUM = Path(os.environ.get("ESCALATION_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1366, "height": 768}  # a common laptop screen (issue 12): screenshots and checks at this size
MIN_TEXT_PX = 10.0  # no text smaller than this as displayed (the developers' guide)
# The output width the module's figures are designed for (escalation.plotting.NOTEBOOK_WIDTH_PX): their
# smallest text is at least MIN_TEXT_PX when shown at least this wide (or at their own size, if narrower).
try:
    from escalation.plotting import NOTEBOOK_WIDTH_PX as FIGURE_DESIGN_WIDTH
except ImportError:  # pragma: no cover - an older package
    FIGURE_DESIGN_WIDTH = 1186
BIN = Path(sys.executable).parent

# Text that JupyterLab's widget renderer leaves in place of a widget that did not render.
WIDGET_FAILURES = ("Loading widget", "Error displaying widget", "Could not create model",
                   "Model not found")

# Settings that make the front end predictable: every cell rendered (JupyterLab 4 otherwise renders only the cells in view), the notebook's kernel
# started without the "Select Kernel" dialog (which otherwise appears when the kernel list loads late), no
# blank screen after the last cell (so a screenshot ends with the notebook).
# (The news pop-up is turned off by the settings the module installs, tools/jupyter-config/; the browser tests
# rely on those, as a student's JupyterLab does.)
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none",
                                                                  "autoStartDefaultKernel": True,
                                                                  "scrollPastEnd": False},
}


def missing_browser_reason() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the PyPI package 'playwright' is not installed (pip install -r requirements.txt)"
    if not CHROMIUM.exists():
        return (f"Chromium is not installed at {CHROMIUM} (on Debian: apt-get install chromium); "
                "the browser tests drive Debian's Chromium and never download one")
    if shutil.which("jupyter-lab", path=str(BIN)) is None and shutil.which("jupyter-lab") is None:
        return "JupyterLab is not installed (pip install -r requirements.txt)"
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executable(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} is not installed in this environment")
    return found


def strip_outputs(path: Path) -> None:
    """Rewrite a notebook without outputs, execution counts or saved widget state (what a student opens)."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    notebook.setdefault("metadata", {}).pop("widgets", None)
    notebook["metadata"].setdefault("kernelspec", {"name": "python3", "display_name": "Python 3 (ipykernel)",
                                                   "language": "python"})
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def make_workspace(root: Path, parts=("notebooks", "data", "exercises/student", "apps")) -> Path:
    """Copy what students open into `root/repo` (notebooks without outputs) and make the Jupyter folders."""
    repo = root / "repo"
    repo.mkdir(parents=True)
    for part in parts:
        source = REPO_ROOT / part
        if source.is_dir():
            shutil.copytree(source, repo / part, ignore=shutil.ignore_patterns(".ipynb_checkpoints",
                                                                              "__pycache__"))
    # the self-test notebook of the browser checks (tests/browser/test_selftest.py)
    shutil.copytree(Path(__file__).parent / "fixtures", repo / "selftest")
    for notebook in repo.rglob("*.ipynb"):
        strip_outputs(notebook)
    for folder in ("config", "runtime", "settings", "workspaces"):
        (root / folder).mkdir()
    for name, value in LAB_SETTINGS.items():
        target = root / "settings" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(value), encoding="utf-8")
    return repo


def jupyter_env(root: Path) -> dict:
    """The environment for servers and kernels: temporary Jupyter folders, the copied data folder."""
    env = dict(os.environ)
    env.update({
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(root / "settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(root / "workspaces"),
        "ESCALATION_DATA": str(root / "repo" / "data"),
        "PYTHONUNBUFFERED": "1",
    })
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


class Server:
    """A Jupyter server process (JupyterLab or Voila) on 127.0.0.1, stopped cleanly by `stop`."""

    def __init__(self, command: list[str], *, cwd: Path, env: dict, port: int, log: Path,
                 ready_path: str, token: str = ""):
        self.port, self.token, self.log = port, token, log
        self.url = f"http://127.0.0.1:{port}"
        self._log_file = open(log, "w", encoding="utf-8")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(command, cwd=cwd, env=env, stdout=self._log_file,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        self._wait_ready(ready_path)

    def _wait_ready(self, path: str, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the server exited with code {self.process.returncode}; log:\n"
                                   + self.log.read_text(encoding="utf-8")[-3000:])
            try:
                with urllib.request.urlopen(self.url + path, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answers (Voila has no status page; any HTTP answer means it is up)
            except (urllib.error.URLError, OSError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout} s; log:\n"
                           + self.log.read_text(encoding="utf-8")[-3000:])

    def api(self, method: str, path: str) -> object:
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels_of(self, relpath: str) -> None:
        """Shut down the kernels of sessions opened on one notebook (keeps two cores free for the next)."""
        try:
            for session in self.api("GET", "/api/sessions"):
                if session.get("path") == relpath:
                    self.api("DELETE", f"/api/sessions/{session['id']}")
        except (urllib.error.URLError, OSError):
            pass

    def stop(self, timeout: float = 20) -> None:
        """SIGINT twice (Jupyter's clean shutdown, which also stops its kernels), then kill if needed."""
        if self.process.poll() is None:
            for _ in range(2):
                try:
                    os.killpg(self.process.pid, signal.SIGINT)
                except ProcessLookupError:
                    break
                time.sleep(0.3)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self._log_file.close()


def start_lab(root: Path) -> Server:
    repo, port, token = root / "repo", free_port(), secrets.token_hex(16)
    command = [executable("jupyter-lab"), "--no-browser", "--ip=127.0.0.1", f"--port={port}", "--port-retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={repo}",
               # lets a test open and close documents in one loaded JupyterLab (a reload per notebook costs ~10 s)
               "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    return Server(command, cwd=repo, env=jupyter_env(root), port=port, log=root / "jupyterlab.log",
                  ready_path=f"/api/status?token={token}", token=token)


@contextlib.contextmanager
def chromium_context(profile: Path):
    """Debian's Chromium driven by Playwright (never a downloaded browser) at the laptop size, one profile."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT)
        context.set_default_timeout(30_000)
        try:
            yield context
        finally:
            context.close()


@contextlib.contextmanager
def lab_in_chromium(root: Path):
    """(server, page): JupyterLab serving `root/repo` (see make_workspace), loaded in a Chromium tab; both stop
    afterwards (the benchmarks' set-up)."""
    lab = start_lab(root)
    try:
        with chromium_context(root / "profile") as context:
            page = context.new_page()
            load_lab(page, lab)
            yield lab, page
    finally:
        lab.stop()


def start_voila(root: Path, notebook: str) -> Server:
    """Voila on one notebook (its page at /) or on a folder (each notebook at /voila/render/NAME)."""
    repo, port = root / "repo", free_port()
    command = [executable("voila"), notebook, "--no-browser", f"--port={port}", "--Voila.ip=127.0.0.1",
               "--Voila.port_retries=0"]
    return Server(command, cwd=repo, env=jupyter_env(root), port=port, log=root / f"voila-{port}.log",
                  ready_path="/voila/static/")


def processes_mentioning(text: str) -> list[tuple[int, str]]:
    """(pid, command line) of running processes whose command line mentions `text` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
            state = next((line for line in (entry / "status").read_text().splitlines()
                          if line.startswith("State:")), "")
        except OSError:
            continue
        if text in cmdline and "zombie" not in state:
            found.append((int(entry.name), cmdline.strip()))
    return found


# ---------------------------------------------------------------- the page side


# Prompts of the code cells whose input is shown (a hidden set-up cell shows a placeholder without a prompt).
CODE_PROMPTS = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputArea:has(.cm-content) .jp-InputPrompt"


# As a student first sees JupyterLab: the file browser open beside the notebook (output about 900 px wide).
FILE_BROWSER_OPEN = os.environ.get("ESCALATION_BROWSER_FILE_BROWSER", "open") != "closed"


def load_lab(page, lab: Server) -> None:
    """Load JupyterLab in the tab (fresh workspace), with the file browser open (as on first start) unless
    ESCALATION_BROWSER_FILE_BROWSER=closed."""
    page.goto(f"{lab.url}/lab?reset&token={lab.token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=60_000)
    page.wait_for_selector(".jp-SideBar.jp-mod-left", timeout=60_000)
    page.wait_for_timeout(500)
    left_tab = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    if FILE_BROWSER_OPEN and not left_tab.count():
        page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab").first.click()
    elif not FILE_BROWSER_OPEN and left_tab.count():
        left_tab.first.click()


def close_documents(page) -> None:
    """Close every open document without saving (the copy is thrown away anyway)."""
    page.evaluate("""() => {
        const app = window.jupyterapp;
        if (!app) { return; }
        for (const widget of [...app.shell.widgets('main')]) {
            if (widget.context && widget.context.model) { widget.context.model.dirty = false; }
            widget.close();
        }
    }""")


def open_notebook(page, lab: Server, relpath: str) -> None:
    """Open a notebook in the loaded JupyterLab and wait until its kernel is idle.

    (A student double-clicks it in the file browser; the document manager's "open" command is the same
    action without the clicking.)
    """
    if not page.evaluate("() => Boolean(window.jupyterapp)"):
        load_lab(page, lab)
    page.keyboard.press("Escape")
    close_documents(page)
    page.evaluate("path => window.jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'})",
                  relpath)
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=60_000)
    dialog = page.locator(".jp-Dialog:has-text('Select Kernel') .jp-mod-accept")
    status = page.locator(".jp-StatusBar-Item:has-text('| Idle')")
    deadline = time.monotonic() + 60
    while not status.count():
        if dialog.count():  # what a student does: accept the notebook's own kernel
            dialog.first.click()
        if time.monotonic() > deadline:
            raise TimeoutError("the notebook's kernel did not start within 60 s")
        page.wait_for_timeout(250)


def run_all(page, timeout_ms: int = 150_000) -> None:
    """Run › Run All Cells, then wait until no cell is queued or running and the kernel is idle."""
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        """(selector) => {
             const prompts = [...document.querySelectorAll(selector)].map(e => e.textContent.trim());
             const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
             return prompts.length > 0 && !prompts.some(t => t.includes('*'))
                    && prompts.some(t => /\\d/.test(t))
                    && indicator && indicator.dataset.status === 'idle';
           }""", arg=CODE_PROMPTS, timeout=timeout_ms, polling=250)


def unexecuted_cells(page) -> list[str]:
    """The first line of each code cell that did not run (Run All stops at the first error)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell')]
                 .filter(c => c.querySelector('.jp-InputArea .cm-content'))
                 .filter(c => !/\\d/.test(c.querySelector('.jp-InputArea .jp-InputPrompt').textContent))
                 .map(c => (c.querySelector('.cm-content') || c).innerText.split('\\n')[0])""")


def error_outputs(page) -> list[str]:
    """Text of every error or stderr output (JupyterLab renders both with the stderr MIME type)."""
    return page.eval_on_selector_all(
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"],'
        '.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]',
        "els => els.map(e => e.innerText.slice(0, 2000))")


SMALL_TEXT_JS = """([minimum, designWidth]) => {
    const root = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!root) { return []; }
    const found = [];
    const seen = new Set();
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const text = walker.currentNode.textContent.trim();
        const element = walker.currentNode.parentElement;
        if (!text || !element || seen.has(element)) { continue; }
        seen.add(element);
        if (!element.getClientRects().length) { continue; }          // not displayed
        const style = getComputedStyle(element);
        if (style.visibility === 'hidden' || parseFloat(style.opacity) === 0) { continue; }
        const rect = element.getBoundingClientRect();
        if (rect.width === 0 || rect.height === 0) { continue; }
        const size = parseFloat(style.fontSize);
        if (size < minimum - 0.01) { found.push(`${size.toFixed(1)} px: ${text.slice(0, 60)}`); }
    }
    for (const img of root.querySelectorAll('.jp-OutputArea-output img')) {
        if (!img.naturalWidth || !img.clientWidth) { continue; }
        // its smallest text as displayed: from the size `show` records (at the picture's own width), or else
        // assuming the smallest text is just `minimum` at its design width
        const recorded = parseFloat(img.dataset.smallestTextPx);
        const smallest = recorded ? recorded * img.clientWidth / img.naturalWidth
                                  : minimum * img.clientWidth / Math.min(img.naturalWidth, designWidth);
        if (smallest < minimum - 0.1) {
            found.push(`image at ${img.clientWidth}/${img.naturalWidth} px, smallest text about ` +
                       `${smallest.toFixed(1)} px: ${(img.alt || '').slice(0, 60)}`);
        }
    }
    return found;
}"""


def small_text(page) -> list[str]:
    """Text shown below MIN_TEXT_PX in the open notebook: HTML text by its computed font size; figures by
    how much smaller than their design width they are displayed (their text meets MIN_TEXT_PX at that width)."""
    return page.evaluate(SMALL_TEXT_JS, [MIN_TEXT_PX, FIGURE_DESIGN_WIDTH])


def widget_problems(page) -> list[str]:
    """Texts of widget outputs that did not render (still loading or failed)."""
    return page.evaluate(
        """(failures) => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output')]
              .map(e => e.innerText)
              .filter(t => failures.some(f => t.includes(f)))
              .map(t => t.slice(0, 300))""", list(WIDGET_FAILURES))


def figures_without_picture(page) -> list[str]:
    """Outputs that show only a figure's text repr ("<Figure size 640x480 with 1 Axes>") and no picture."""
    return page.eval_on_selector_all(
        ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output",
        r"""els => els.map(e => e.innerText.trim()).filter(t => /^<Figure size \d+x\d+ with \d+ Axes>$/.test(t))""")


def wait_widgets_rendered(page, timeout_ms: int = 30_000) -> None:
    """Wait until no widget output still says "Loading widget…" (failures are asserted afterwards)."""
    try:
        page.wait_for_function(
            """() => ![...document.querySelectorAll('.jp-OutputArea-output')]
                     .some(e => e.innerText.includes('Loading widget'))""", timeout=timeout_ms, polling=250)
    except Exception:  # noqa: BLE001 - the assertion on widget_problems reports what is left
        pass


def widget_outputs(page):
    """Locator of the outputs that hold a rendered widget, in notebook order."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(.jupyter-widgets)")


def explorer(page, title: str):
    """The output holding the Explorer whose heading is `title`."""
    return page.locator(f'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output:has(h4:text-is("{title}")), '
                        f'.jp-OutputArea-output:has(h4:text-is("{title}")):not(.jp-NotebookPanel *)').first


DISPLAY_AREA_JS = """(output) => {
    const box = output.querySelector('.jupyter-widgets.widget-box') || output;
    const last = box.lastElementChild || box;
    return last.innerHTML;
}"""


def display_area_html(output) -> str:
    """The HTML of a widget box's last child: an Explorer's display area (or an Output widget)."""
    return output.evaluate(DISPLAY_AREA_JS)


def wait_display_change(page, output, before: str, timeout_ms: int = 30_000) -> str:
    """Wait until the display area differs from `before`; return its new HTML."""
    handle = output.element_handle()
    page.wait_for_function(f"([output, before]) => ({DISPLAY_AREA_JS})(output) !== before",
                           arg=[handle, before], timeout=timeout_ms, polling=200)
    return display_area_html(output)


def display_text(output) -> str:
    """The visible text of a widget box's display area."""
    return output.evaluate("""(output) => {
        const box = output.querySelector('.jupyter-widgets.widget-box') || output;
        return (box.lastElementChild || box).innerText; }""")


def set_text(page, output, label: str, value: str) -> None:
    """Type into the text box labelled `label` and press Enter (how a student submits a query)."""
    box = output.locator(f'.widget-text:has(label:text-is("{label}")) input, '
                         f'.widget-textarea:has(label:text-is("{label}")) textarea').first
    box.fill(value)
    box.press("Enter")


def select_option(output, label: str, option_label: str | None = None, index: int | None = None) -> str:
    """Pick an option of the dropdown labelled `label` (by its label or index); return the label picked."""
    select = output.locator(f'.widget-dropdown:has(label:text-is("{label}")) select').first
    if option_label is not None:
        select.select_option(label=option_label)
        return option_label
    labels = select.evaluate("s => [...s.options].map(o => o.value)")
    select.select_option(value=labels[index])
    return labels[index]


def number_value(output, label: str) -> str:
    """The value in the number box labelled `label`."""
    return output.locator(f'.widget-inline-hbox:has(label:text-is("{label}")) input').first.input_value()


def step_number(page, output, label: str, steps: int = 1, key: str = "ArrowUp") -> str:
    """Focus the number box labelled `label` and press an arrow key `steps` times; return the new value."""
    box = output.locator(f'.widget-inline-hbox:has(label:text-is("{label}")) input').first
    box.focus()
    for _ in range(steps):
        before = box.input_value()
        box.press(key)
        page.wait_for_function("([b, v]) => b.value !== v", arg=[box.element_handle(), before], timeout=10_000)
    return box.input_value()


SHOWN_JS = """(output) => [...output.querySelectorAll(
    '.widget-html-content, .jp-OutputArea-output, img, svg, .widget-select select, .widget-select-multiple select')]
    .map(e => e.tagName === 'SELECT' ? [...e.options].map(o => o.textContent).join('|') : e.innerHTML).join('\\n')"""


def shown_content(output) -> str:
    """Everything a widget displays besides its controls' own state: HTML panes, outputs, images, lists."""
    return output.evaluate(SHOWN_JS)


def generic_interaction(page) -> str:
    """Change the first slider, dropdown or text box of the first widget that has one; its display must change.

    Returns a description of what was done. Raises (with a clear message) when nothing changed.
    """
    outputs = widget_outputs(page)
    for i in range(outputs.count()):
        output = outputs.nth(i)
        before = shown_content(output)
        slider = output.locator(".noUi-handle")
        select = output.locator(".widget-dropdown select")
        text = output.locator(".widget-text input")
        if slider.count():
            slider.first.focus()
            slider.first.press("ArrowRight")
            done = "moved a slider one step right"
        elif select.count() and select.first.evaluate("s => s.options.length") > 1:
            values = select.first.evaluate("s => [...s.options].map(o => o.value)")
            current = select.first.input_value()
            select.first.select_option(value=next(v for v in values if v != current))
            done = "picked another dropdown option"
        elif text.count():
            text.first.fill("missile")
            text.first.press("Enter")
            done = "typed 'missile' in a text box"
        else:
            continue
        try:
            page.wait_for_function(f"([o, before]) => ({SHOWN_JS})(o) !== before",
                                   arg=[output.element_handle(), before], timeout=30_000, polling=250)
        except Exception as exc:  # noqa: BLE001
            raise AssertionError(f"widget {i + 1}: {done}, but its display did not change within 30 s") from exc
        return done
    raise AssertionError("no widget with a slider, dropdown or text box was found in the rendered notebook")


def screenshot_notebook(page, path: Path, max_height: int = 14_000) -> list[Path]:
    """A screenshot of the whole notebook and one of each widget output (named PATH--widgetN.png).

    The viewport grows to the notebook's height first, so nothing is cut off and no scrolling is needed;
    the widget pictures are cut out of the page picture (one capture instead of one per widget).
    """
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("""() => {
        const inner = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer');
        return inner ? inner.scrollHeight : document.body.scrollHeight; }""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(max_height, int(height) + 200)})
    page.wait_for_timeout(300)
    page.evaluate("""() => document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })""")
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    if height + 200 > max_height:  # a very long notebook: the rest in further pictures, NAME--part2.png, …
        part, scrolled = 2, max_height - 300
        while scrolled < height:
            page.set_viewport_size({"width": VIEWPORT["width"],
                                    "height": min(max_height, int(height) - scrolled + 200)})
            page.wait_for_timeout(300)
            page.evaluate("""(top) => document.querySelectorAll('.jp-WindowedPanel-outer')
                                     .forEach(e => { e.scrollTop = top; })""", scrolled)
            page.wait_for_timeout(300)
            page.screenshot(path=str(path.with_name(f"{path.stem}--part{part}.png")))
            part, scrolled = part + 1, scrolled + max_height - 300
        page.set_viewport_size({"width": VIEWPORT["width"], "height": max_height})
        page.wait_for_timeout(300)
        page.evaluate("""() => document.querySelectorAll('.jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })""")
        page.wait_for_timeout(300)
    outputs = widget_outputs(page)
    boxes = [outputs.nth(i).bounding_box() for i in range(outputs.count())]
    paths = [path]
    with Image.open(path) as picture:
        for i, box in enumerate(boxes):
            target = path.with_name(f"{path.stem}--widget{i + 1}.png")
            if box and box["y"] + box["height"] <= picture.height:
                left, top = max(0, int(box["x"]) - 4), max(0, int(box["y"]) - 4)
                right = min(picture.width, int(box["x"] + box["width"]) + 4)
                bottom = min(picture.height, int(box["y"] + box["height"]) + 4)
                picture.crop((left, top, right, bottom)).save(target)
            else:  # below the picture of a very long notebook: capture the widget itself
                outputs.nth(i).screenshot(path=str(target))
            paths.append(target)
    page.set_viewport_size(VIEWPORT)
    return paths


def cell_editor(page, contains: str):
    """The first code cell whose source contains `contains`."""
    cells = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell")
    index = cells.evaluate_all("""(cells, text) => cells.findIndex(
        c => (c.querySelector('.cm-content') || {innerText: ''}).innerText.includes(text))""", contains)
    assert index >= 0, f"no code cell contains {contains!r}"
    return cells.nth(index)  # by position, so it stays the same cell after its text is replaced


def replace_cell_source(page, cell, source: str) -> None:
    """Click into a code cell, select all of its text and insert `source` (no auto-closed brackets)."""
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(source)


def run_cell(page, cell) -> None:
    """Run one cell with Ctrl+Enter and wait until its prompt shows an execution count."""
    cell.locator(".cm-content").click()
    before = cell.locator(".jp-InputPrompt").inner_text()
    page.keyboard.press("Control+Enter")
    handle = cell.element_handle()
    page.wait_for_function(
        """([c, before]) => { const t = c.querySelector('.jp-InputPrompt').textContent;
                            return /\\d/.test(t) && !t.includes('*') && t !== before; }""",
        arg=[handle, before], timeout=60_000, polling=200)
