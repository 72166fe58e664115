"""The printable PDF and its QR code."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from asylon.engines.ledger.document import credential_pdf, qr_matrix
from asylon.engines.ledger.envelope import Envelope, decode_qr_payload, qr_payload
from asylon.errors import InvalidInput

from .conftest import World


def test_pdf_is_produced_for_each_credential(world: World) -> None:
    for env in world.envelopes.values():
        pdf = credential_pdf(env)
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")


def test_qr_carries_the_whole_envelope_when_it_fits(world: World) -> None:
    env = world.envelopes["travel"]
    payload = qr_payload(env)
    assert payload.startswith("ASY1:")
    assert decode_qr_payload(payload).to_json() == env.to_json()
    assert len(qr_matrix(payload)) <= 177  # QR version 40 at most


def test_qr_falls_back_to_a_reference_when_too_large(world: World) -> None:
    env = world.envelopes["status"]
    payload = qr_payload(env, limit=100)
    commitment = env.commitment()
    assert commitment is not None
    assert payload == f"ASY1R:{env.credential['id']};{commitment.hex()}"
    with pytest.raises(InvalidInput, match="only a reference"):
        decode_qr_payload(payload)


@pytest.mark.skipif(
    not (shutil.which("pdftoppm") and shutil.which("zbarimg")), reason="needs poppler-utils and zbar-tools"
)
def test_printed_qr_code_scans_back(world: World, tmp_path: Path) -> None:
    env = world.envelopes["travel"]
    (tmp_path / "c.pdf").write_bytes(credential_pdf(env))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "200", str(tmp_path / "c.pdf"), str(tmp_path / "page")], check=True
    )
    scanned = subprocess.run(
        ["zbarimg", "-q", "--raw", str(next(tmp_path.glob("page*.png")))],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Envelope.to_json(decode_qr_payload(scanned)) == env.to_json()
