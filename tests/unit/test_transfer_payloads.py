"""Ids inside imported event payloads: mapped through the target's ids, nested too; unknown
ones and ids of rows no archive carries become None; uuids and other values stay."""

from __future__ import annotations

from modelreg.services.transfer.payloads import rewrite


def test_payload_ids_are_mapped_nested_and_unknown_ones_dropped() -> None:
    # given
    payload = {
        "version_id": 2,
        "version": "1.0.0",
        "request_id": 3,
        "comment_id": 99,  # deleted before the export: no target row
        "archived": [{"version_id": 4, "number": 4}],
        "experiment_id": "7",
        "run_id": "8f1c0e2a",
        "deployment_id": 5,
        "flag": True,
    }
    targets = {
        ("model_version", "2"): 20,
        ("model_version", "4"): 40,
        ("transition_request", "3"): 30,
        ("experiment", "7"): 70,
    }

    # when
    found = rewrite(payload, targets)

    # then
    assert found == {
        "version_id": 20,
        "version": "1.0.0",
        "request_id": 30,
        "comment_id": None,
        "archived": [{"version_id": 40, "number": 4}],
        "experiment_id": "70",
        "run_id": "8f1c0e2a",
        "deployment_id": None,
        "flag": True,
    }


def test_the_default_experiment_and_non_ids_stay() -> None:
    payload = {"experiment_id": "0", "version_id": None, "request_id": True}

    assert rewrite(payload, {}) == payload
