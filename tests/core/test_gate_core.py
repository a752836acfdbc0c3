"""The send gate in core: reasons by source, lifted one by one, honoured by the controller."""

from __future__ import annotations

from desktop_app.core.chat.controller import ChatController
from desktop_app.core.chat.send_gate import SendGate
from desktop_app.core.session.server import ServerSession
from desktop_app.core.tasks import TaskRunner


def test_reasons_combine_and_lift_by_source(qtbot):
    gate = SendGate()
    with qtbot.waitSignal(gate.changed) as blocker:
        gate.report("parameters", "The extra body is not valid JSON.")
    assert blocker.args == ["The extra body is not valid JSON."]
    gate.report("tool-calls", "A tool call waits for a result.")
    assert gate.reason().splitlines() == [
        "The extra body is not valid JSON.",
        "A tool call waits for a result.",
    ]
    assert gate.reason({"tool-calls"}) == "The extra body is not valid JSON."
    with qtbot.assertNotEmitted(gate.changed):
        gate.report("tools", "")  # nothing changes: no signal
    gate.report("parameters", "")
    gate.report("tool-calls", "")
    assert gate.reason() == ""


def test_the_controller_refuses_a_send_the_gate_blocks(qtbot):
    runner = TaskRunner()
    gate = SendGate()
    chat = ChatController(ServerSession(runner), runner, gate=gate)
    gate.report("parameters", "top_p must be in (0, 1].")
    with qtbot.waitSignal(chat.notice) as notice:
        assert chat.send("Hello") is False
    assert "top_p" in notice.args[0]
    assert chat.current.messages == []
    assert not chat.busy
