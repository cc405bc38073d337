"""A refresh interrupted after its scan (KeyboardInterrupt) loses nothing: the next one
sends what it found, so a deleted tensor leaves the panel."""

from tests.conftest import run


def test_a_removal_found_by_an_interrupted_refresh_reaches_the_panel_later(
    ip, inspector, monkeypatch
):
    from tensor_inspector import inspector as inspector_module

    run(ip, "a = torch.ones(2)\nb = torch.ones(3)")
    sent = []
    monkeypatch.setattr(inspector.panel, "send", lambda content, buffers=None: sent.append(content))
    summary = inspector_module.devices.summary
    calls = []

    def interrupted_once():
        calls.append(1)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return summary()

    monkeypatch.setattr(inspector_module.devices, "summary", interrupted_once)
    ip.run_cell("del a")  # the scan sees a gone, then the refresh is interrupted
    assert "interrupted" in inspector.panel.message["text"]
    assert not [c for c in sent if "a" in c.get("remove", [])]
    run(ip, "c = torch.ones(4)")
    removed = [name for c in sent for name in c.get("remove", [])]
    upserted = [row["name"] for c in sent for row in c.get("upsert", [])]
    assert removed == ["a"] and "c" in upserted
    assert {row["name"] for row in inspector.rows} == {"b", "c"}
