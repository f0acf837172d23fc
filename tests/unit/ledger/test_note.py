"""Signed notes, checkpoints and cosignatures against the C2SP specs and Go's sumdb/note vectors.

Ed25519 is deterministic, so signing the Go text with the Go key must give the Go line exactly.
"""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from reetrace.ledger.note import (
    COSIGNATURE_V1,
    ED25519,
    Checkpoint,
    NoteError,
    Signer,
    Verifier,
    cosign,
    cosignature_message,
    key_id,
    open_checkpoint,
    open_note,
    sign_note,
    verify_cosignature,
)

# golang.org/x/mod/sumdb/note (the package documentation and note_test.go)
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_B64 = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
ENOCH_B64 = "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ="
PETER_SIG = f"\u2014 PeterNeumann {PETER_B64}\n"
ENOCH_SIG = f"\u2014 EnochRoot {ENOCH_B64}\n"

# c2sp.org/signed-note: the example verifier key and the note it signs
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_B64 = "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM="
SPEC_NOTE = f"This is an example message.\n\n\u2014 example.com/foo {SPEC_B64}\n"

# c2sp.org/tlog-checkpoint: the example body
SPEC_CHECKPOINT = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"

PETER = Verifier.from_verifier_key(PETER_VKEY)
ENOCH = Verifier.from_verifier_key(ENOCH_VKEY)


# --- keys ----------------------------------------------------------------------------------


def test_the_go_signer_key_gives_the_go_verifier_key():
    signer = Signer.from_signer_key(PETER_SKEY)
    assert signer.key_id == bytes.fromhex("c74f20a3") == PETER.key_id
    assert signer.verifier_key() == PETER_VKEY
    assert signer.signer_key() == PETER_SKEY
    assert signer.verifier() == PETER


def test_the_spec_example_key_id_is_derived_from_its_key():
    verifier = Verifier.from_verifier_key(SPEC_VKEY)
    assert verifier.name == "example.com/foo" and verifier.key_type == ED25519
    assert verifier.public_key.hex() == "e932791ae6e7a840a46164c904786426d5e7821dd8b29a00d61cae72afdd4da4"
    assert key_id("example.com/foo", ED25519, verifier.public_key).hex() == "530d903a"
    assert verifier.verifier_key() == SPEC_VKEY


def test_keys_of_other_implementations_parse_and_write_back():
    # transparency-dev/formats note_cosigv1_test.go: a 0x01 key whose base64 holds a '+', and a 0x04 key
    for vkey, key_type in (
        ("TEST+7997405c+AQcC+FTVKf0jlTdHDY3rbevmnKxxPjigCXlVtGe6RIr6", ED25519),
        ("remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2", COSIGNATURE_V1),
    ):
        verifier = Verifier.from_verifier_key(vkey)
        assert verifier.key_type == key_type
        assert verifier.verifier_key() == vkey


def manglings(key: str) -> list[str]:
    """Every proper substring and every one-character increment, as Go's note tests try."""
    out = {key[i:j] for i in range(len(key) + 1) for j in range(i + 1, len(key) + 1)} - {key}
    out |= {key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))}
    return sorted(out)


def test_every_mangled_verifier_key_is_refused():
    for bad in manglings(PETER_VKEY) + [
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",  # long key, adjusted ID
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",  # unknown type, adjusted ID
    ]:
        with pytest.raises(NoteError):
            Verifier.from_verifier_key(bad)


def test_every_mangled_signer_key_is_refused():
    for bad in manglings(PETER_SKEY):
        with pytest.raises(NoteError):
            Signer.from_signer_key(bad)


def test_generated_keys_round_trip():
    signer = Signer.generate("reetrace.local/log")
    again = Signer.from_signer_key(signer.signer_key())
    assert again.key_id == signer.key_id and again.public_key == signer.public_key
    assert Verifier.from_verifier_key(signer.verifier_key()) == signer.verifier()
    assert signer.verifier_key().startswith("reetrace.local/log+" + signer.key_id.hex() + "+")
    assert "PRIVATE" not in repr(signer) and signer.signer_key() not in repr(signer)


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "nbsp\u00a0here", "line\nbreak"])
def test_key_names_without_spaces_or_plus(name):
    with pytest.raises(NoteError, match="invalid key name"):
        Signer(name, Ed25519PrivateKey.generate())
    with pytest.raises(NoteError, match="invalid key name"):
        Verifier(name, bytes(32))


# --- notes ---------------------------------------------------------------------------------


def test_signing_the_go_text_gives_the_go_note():
    assert sign_note(TEXT, Signer.from_signer_key(PETER_SKEY)) == TEXT + "\n" + PETER_SIG


def test_the_go_note_opens():
    assert open_note(TEXT + "\n" + PETER_SIG, [PETER]) == (TEXT, ["PeterNeumann"])
    assert open_note((TEXT + "\n" + PETER_SIG).encode(), [PETER]) == (TEXT, ["PeterNeumann"])


def test_the_spec_example_note_opens():
    assert open_note(SPEC_NOTE, [Verifier.from_verifier_key(SPEC_VKEY)]) == (
        "This is an example message.\n",
        ["example.com/foo"],
    )


def test_signatures_from_unknown_keys_are_ignored():
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_note(note, [PETER]) == (TEXT, ["PeterNeumann"])
    assert open_note(note, [ENOCH]) == (TEXT, ["EnochRoot"])
    assert open_note(note, [PETER, ENOCH]) == (TEXT, ["PeterNeumann", "EnochRoot"])
    # Same name, other key: unknown, so ignored; the note then has nothing verifiable.
    impostor = Signer.generate("PeterNeumann").verifier()
    assert open_note(note, [impostor, ENOCH]) == (TEXT, ["EnochRoot"])
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(note, [impostor])


def test_repeated_signatures_are_ignored():
    forged_enoch = ENOCH_SIG[:60] + "ABCD" + ENOCH_SIG[60:]
    note = TEXT + "\n" + PETER_SIG + PETER_SIG + ENOCH_SIG + ENOCH_SIG + forged_enoch
    assert open_note(note, [PETER]) == (TEXT, ["PeterNeumann"])


def test_a_known_key_with_a_bad_signature_rejects_the_note():
    forged = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        open_note(TEXT + "\n" + forged, [PETER])
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(TEXT + "\n" + ENOCH_SIG + forged, [PETER, ENOCH])


def test_tampered_text_is_refused():
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(TEXT.replace("problem", "solution", 1) + "\n" + PETER_SIG, [PETER])


def test_the_wrong_key_is_refused():
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(TEXT + "\n" + PETER_SIG, [ENOCH])


def test_no_verifiers_is_refused():
    with pytest.raises(NoteError, match="no verifiers"):
        open_note(TEXT + "\n" + PETER_SIG, [])


def test_conflicting_verifiers_are_refused():
    twin = Verifier("PeterNeumann", bytes(32))
    object.__setattr__(twin, "key_id", PETER.key_id)  # a forced collision of name and key ID
    with pytest.raises(NoteError, match="ambiguous key"):
        open_note(TEXT + "\n" + PETER_SIG, [PETER, twin])
    assert open_note(TEXT + "\n" + PETER_SIG, [PETER, PETER]) == (TEXT, ["PeterNeumann"])


@pytest.mark.parametrize(
    "note",
    [
        TEXT,  # no signatures
        TEXT + "\n",  # blank line but no signatures
        TEXT + PETER_SIG,  # missing blank line
        TEXT + "\n" + PETER_SIG[:-1],  # signature without its newline
        "\x01" + TEXT + "\n" + PETER_SIG,  # control character
        TEXT.replace("\n", "\r\n") + "\r\n" + PETER_SIG,  # CRLF
        TEXT + "\n" + f"\u2014 Bad Name {PETER_B64}\n",  # a space in the name
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG.replace("\u2014", "-"),  # hyphen for em dash
        TEXT + "\n" + PETER_SIG.replace("=\n", "\n"),  # bad base64 (padding)
        TEXT + "\n" + PETER_SIG.replace("x08go", "x08g!"),  # bad base64 (alphabet)
        TEXT + "\n" + "\u2014 PeterNeumann x08goA==\n",  # too short for key ID and signature
        TEXT + "\n" + "\u2014 PeterNeumann\n",  # no signature
        TEXT + "\n" + PETER_SIG * 101,  # too many signatures
    ],
)
def test_malformed_notes_are_refused(note):
    with pytest.raises(NoteError, match="malformed|base64"):
        open_note(note, [PETER])


def test_invalid_utf8_is_refused():
    with pytest.raises(NoteError, match="UTF-8"):
        open_note(b"\xff" + (TEXT + "\n" + PETER_SIG).encode(), [PETER])


def test_notes_round_trip_with_blank_lines_in_the_text():
    log, other = Signer.generate("example.com/log"), Signer.generate("example.com/other")
    text = "first\n\nthird\n"
    note = sign_note(text, log, other, log)
    assert note.count("\u2014 example.com/log ") == 1
    assert open_note(note, [other.verifier()]) == (text, ["example.com/other"])


@pytest.mark.parametrize("text", ["no newline", "", "bad \x07 bell\n"])
def test_sign_note_refuses_text_that_cannot_be_opened(text):
    with pytest.raises(NoteError):
        sign_note(text, Signer.generate("example.com/log"))


def test_sign_note_needs_a_signer():
    with pytest.raises(NoteError, match="at least one signer"):
        sign_note(TEXT)


# --- checkpoints ---------------------------------------------------------------------------


def test_the_spec_checkpoint_parses_and_writes_back():
    checkpoint = Checkpoint.parse(SPEC_CHECKPOINT)
    assert checkpoint == Checkpoint(
        "example.com/behind-the-sofa", 20852163, base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    )
    assert checkpoint.to_text() == SPEC_CHECKPOINT


def test_checkpoints_with_extensions_and_the_empty_tree_round_trip():
    for checkpoint in (
        Checkpoint("reetrace.local/log", 0, bytes(32)),
        Checkpoint("reetrace.local/log", 239, bytes(range(32)), ["ext one", "ext two"]),
    ):
        assert Checkpoint.parse(checkpoint.to_text()) == checkpoint
    assert Checkpoint("o", 0, bytes(32)).to_text() == "o\n0\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"


@pytest.mark.parametrize(
    "text",
    [
        SPEC_CHECKPOINT[:-1],  # no final newline
        "example.com/log\n5\n",  # two lines
        "\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # empty origin
        "o\n05\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # leading zero
        "o\n+5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n 5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
        "o\n\u0665\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # a non-ASCII digit
        "o\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",  # 2^64
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n",  # missing padding
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n",  # non-canonical base64
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jx\n",  # not 32 bytes
        "o\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n",  # empty extension line
        "o\r\n5\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
    ],
)
def test_malformed_checkpoints_are_refused(text):
    with pytest.raises(NoteError):
        Checkpoint.parse(text)


def test_checkpoint_fields_are_checked():
    for bad in (
        ("", 1, bytes(32)),
        ("o", -1, bytes(32)),
        ("o", True, bytes(32)),
        ("o", 1, bytes(31)),
        ("o", 1, bytes(32), ("",)),
        ("o\nx", 1, bytes(32)),
    ):
        with pytest.raises(NoteError):
            Checkpoint(*bad)


def test_a_signed_checkpoint_opens_under_its_origin_only():
    log = Signer.generate("reetrace.local/log")
    checkpoint = Checkpoint("reetrace.local/log", 7, bytes(range(32)))
    assert open_checkpoint(sign_note(checkpoint.to_text(), log), log.verifier()) == checkpoint
    elsewhere = Signer.generate("elsewhere.example/log")
    with pytest.raises(NoteError, match="is not the key name"):
        open_checkpoint(sign_note(checkpoint.to_text(), elsewhere), elsewhere.verifier())
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_checkpoint(sign_note(checkpoint.to_text(), elsewhere), log.verifier())


# --- cosignatures --------------------------------------------------------------------------

LOG = Signer.generate("example.com/behind-the-sofa")
WITNESS = Signer.generate("witness.example.com/w1")
SIGNED = sign_note(SPEC_CHECKPOINT, LOG)


def test_the_cosigned_message_is_header_time_and_body():
    assert cosignature_message(SPEC_CHECKPOINT, 1679315147) == (
        b"cosignature/v1\ntime 1679315147\nexample.com/behind-the-sofa\n20852163\n"
        b"CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    )


def test_a_cosignature_line_is_key_id_timestamp_and_signature():
    cosigned = cosign(SIGNED, WITNESS, 1679315147)
    assert cosigned.startswith(SIGNED)
    line = cosigned[len(SIGNED) :]
    assert line.startswith("\u2014 witness.example.com/w1 ") and line.endswith("\n")
    payload = base64.b64decode(line.split(" ")[2])
    assert len(payload) == 4 + 8 + 64
    assert payload[:4] == key_id(WITNESS.name, COSIGNATURE_V1, WITNESS.public_key) != WITNESS.key_id
    assert int.from_bytes(payload[4:12], "big") == 1679315147
    assert WITNESS.verifier().verify(cosignature_message(SPEC_CHECKPOINT, 1679315147), payload[12:])


def test_cosignatures_verify_and_give_their_time():
    cosigned = cosign(SIGNED, WITNESS, 1679315147)
    assert verify_cosignature(cosigned, WITNESS.verifier()) == 1679315147
    assert verify_cosignature(cosigned, WITNESS.cosignature_verifier()) == 1679315147
    assert verify_cosignature(cosign(SPEC_CHECKPOINT, WITNESS, 0), WITNESS.verifier()) == 0
    # The log's signature still opens, the cosignature being an unknown key to the log's verifier.
    assert open_note(cosigned, [LOG.verifier()]) == (SPEC_CHECKPOINT, [LOG.name])
    assert open_note(cosigned, [LOG.verifier(), WITNESS.cosignature_verifier()]) == (
        SPEC_CHECKPOINT,
        [LOG.name, WITNESS.name],
    )
    # A plain Ed25519 verifier of the witness does not take a cosignature for a note signature.
    with pytest.raises(NoteError, match="no verifiable signatures"):
        open_note(cosigned, [WITNESS.verifier()])


def test_the_cosignature_key_round_trips_as_a_type_4_verifier_key():
    vkey = WITNESS.cosignature_verifier().verifier_key()
    assert base64.b64decode(vkey.split("+", 2)[2])[0] == COSIGNATURE_V1
    assert Verifier.from_verifier_key(vkey) == WITNESS.cosignature_verifier()


def test_tampered_cosignatures_are_refused():
    cosigned = cosign(SIGNED, WITNESS, 1679315147)
    prefix, encoded = cosigned.rstrip("\n").rsplit(" ", 1)
    payload = bytearray(base64.b64decode(encoded))
    payload[11] ^= 1  # one second later
    later = prefix + " " + base64.b64encode(bytes(payload)).decode() + "\n"
    with pytest.raises(NoteError, match="invalid cosignature"):
        verify_cosignature(later, WITNESS.verifier())
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(later, [WITNESS.cosignature_verifier()])
    moved = cosigned.replace("20852163", "20852164")
    with pytest.raises(NoteError, match="invalid cosignature"):
        verify_cosignature(moved, WITNESS.verifier())
    with pytest.raises(NoteError, match="no cosignature from"):
        verify_cosignature(cosigned, Signer.generate("witness.example.com/w1").verifier())
    with pytest.raises(NoteError, match="no cosignature from"):
        verify_cosignature(SIGNED, WITNESS.verifier())


@pytest.mark.parametrize("timestamp", [-1, 2**63, 1.5, True])
def test_cosignature_timestamps_are_unsigned_63_bit_integers(timestamp):
    with pytest.raises(NoteError, match="timestamp"):
        cosign(SIGNED, WITNESS, timestamp)


def test_only_checkpoints_are_cosigned():
    with pytest.raises(NoteError):
        cosign("just one line\n", WITNESS, 1)
    with pytest.raises(NoteError):
        cosign(sign_note("one\n", LOG), WITNESS, 1)


def test_note_error_is_a_value_error():
    assert issubclass(NoteError, ValueError)
