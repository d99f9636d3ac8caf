import matplotlib.pyplot as plt
import pytest

from escalation import plotting


def test_finish_sets_everything_and_checker_agrees():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    plotting.finish(fig, ax, title="T", xlabel="x (km)", ylabel="y", alt_text="A line rising from 3 to 4.")
    assert plotting.accessibility_problems(fig) == []
    assert plotting.alt_text(fig) == "A line rising from 3 to 4."
    plt.close(fig)


def test_checker_lists_what_is_missing():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    assert plotting.accessibility_problems(fig) == [
        "no text alternative", "axes 1 has no title", "axes 1 has no x-axis label", "axes 1 has no y-axis label"]
    plt.close(fig)


def test_finish_refuses_missing_parts():
    fig, ax = plt.subplots()
    with pytest.raises(ValueError, match="text alternative"):
        plotting.finish(fig, ax, title="T", xlabel="x", ylabel="y", alt_text="")
    plt.close(fig)


def test_palette_is_okabe_ito_and_markers_pair_with_it():
    assert plotting.colour(0) == "#0072B2" and plotting.colour(8) == plotting.colour(0)
    assert len(set(plotting.PALETTE)) == 8 and len(set(plotting.MARKERS)) == 8


def test_show_displays_a_png_with_alt_text_and_prints_description(capsys, monkeypatch):
    import IPython.display
    from matplotlib.figure import Figure

    import base64
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda obj: shown.append(obj._repr_mimebundle_()))
    fig = Figure()  # built without pyplot, as the package's fast renderers do
    plotting.finish(fig, fig.add_subplot(), title="T", xlabel="x", ylabel="y", alt_text="Nothing plotted.")
    plotting.show(fig)
    ((data, metadata),) = shown
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert metadata == {"image/png": {"alt": "Nothing plotted."}}  # for nbconvert and the edition
    # JupyterLab shows the HTML: the same picture, its alt text on the <img> (its PNG renderer drops it)
    assert data["text/html"].startswith(f'<img src="data:image/png;base64,{data["image/png"]}" alt="Nothing plotted."')
    assert "Figure description: Nothing plotted." in capsys.readouterr().out
